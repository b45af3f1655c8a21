import * as z from "zod";
import { Approval, ChildRun, ExitReason, Manifest, ResumeEvent, StageCacheRecord } from "./manifest.js";
import { NullableTimestamp, RunStatus, StageStatus, Timestamp } from "./primitives.js";

// Every line carries type, timestamp and index (the 1-based stage, or null for run-level events).
// Lines that change the run's state also carry `seq`, their place in the run's history: the
// manifest records the last one it reflects, so a reader can tell when the log knows more.
const base = {
  timestamp: Timestamp,
  index: z.int().min(1).nullable(),
  seq: z.int().min(1).optional(),
};
const stageBase = {
  timestamp: Timestamp,
  index: z.int().min(1),
  attempt: z.int().min(1).optional(),
  seq: z.int().min(1).optional(),
};

/** A stage's command was spawned. */
export const CommandStartEvent = z.looseObject({
  type: z.literal("command:start"),
  command: z.string(),
  /** `CODEX_ORCHESTRATOR_STAGE_MARKER` of the attempt: every process it starts carries it. */
  marker: z.string().optional(),
  /** The shell's pid, which is also the id of the attempt's process group. */
  pid: z.int().min(1).optional(),
  /** The worker running the attempt and its host, when it runs on a worker. */
  worker: z.string().optional(),
  host: z.string().optional(),
  ...stageBase,
});
// Output replayed from the stage cache is marked, with the run it was first recorded in.
const replayed = {
  replayed: z.literal(true).optional(),
  source_run_id: z.string().optional(),
};
/** A chunk of a command's standard output. */
export const CommandStdoutEvent = z.looseObject({
  type: z.literal("command:stdout"),
  data: z.string(),
  ...replayed,
  ...stageBase,
});
/** A chunk of a command's standard error. */
export const CommandStderrEvent = z.looseObject({
  type: z.literal("command:stderr"),
  data: z.string(),
  ...replayed,
  ...stageBase,
});
/** A stage's command ended (`signal` set when a signal killed it). */
export const CommandEndEvent = z.looseObject({
  type: z.literal("command:end"),
  exit_code: z.int().nullable(),
  signal: z.string().nullable(),
  reason: ExitReason.optional(),
  /** Processes the attempt left running that were stopped when it ended. */
  leftovers_stopped: z.int().min(0).optional(),
  ...stageBase,
});
/** The run's first line: the manifest as the run was laid out, before anything ran. */
export const RunCreatedEvent = z.looseObject({
  type: z.literal("run:created"),
  manifest: Manifest,
  ...base,
});
/** The run started (or was resumed). */
export const RunStartEvent = z.looseObject({
  type: z.literal("run:start"),
  run_id: z.string(),
  task_id: z.string(),
  pipeline_id: z.string(),
  resumed: z.boolean(),
  ...base,
});
/** The run stopped: finished, paused or cancelled; what was recorded about it on the way out. */
export const RunEndEvent = z.looseObject({
  type: z.literal("run:end"),
  status: RunStatus,
  status_detail: z.string().nullable(),
  completed_at: NullableTimestamp.optional(),
  metrics_recorded: z.boolean().optional(),
  run_summary_path: z.string().nullable().optional(),
  ...base,
});
/** A stage changed status; a stage that ended also says how. */
export const StageStatusEvent = z.looseObject({
  type: z.literal("stage:status"),
  stage_id: z.string(),
  status: StageStatus,
  summary: z.string().nullable().optional(),
  error_file: z.string().nullable().optional(),
  status_detail: z.string().nullable().optional(),
  exit_code: z.int().nullable().optional(),
  signal: z.string().nullable().optional(),
  exit_reason: ExitReason.nullable().optional(),
  ...base,
});
/** A subpipeline stage started (or found again) its nested run. */
export const StageChildEvent = z.looseObject({
  type: z.literal("stage:child"),
  stage_id: z.string(),
  child_run_id: z.string(),
  ...base,
});
/** The stage cache was consulted for a stage: a hit (the command does not run) or a miss. */
export const StageCacheEvent = z.looseObject({
  type: z.literal("stage:cache"),
  stage_id: z.string(),
  cache: StageCacheRecord,
  ...base,
});
/** The heartbeat was refreshed. */
export const RunHeartbeatEvent = z.looseObject({
  type: z.literal("run:heartbeat"),
  heartbeat_at: Timestamp,
  ...base,
});
/** A nested run told this run about itself (started, or reached a new status). */
export const ChildRegisteredEvent = z.looseObject({
  type: z.literal("child:registered"),
  child: ChildRun,
  ...base,
});
/** A manual stage is waiting for a decision. */
export const ApprovalRequestedEvent = z.looseObject({
  type: z.literal("approval:requested"),
  stage_id: z.string(),
  plan_hash: z.string(),
  ...base,
});
/** A decision was recorded for a manual stage (`approval` is what the manifest keeps). */
export const ApprovalRecordedEvent = z.looseObject({
  type: z.literal("approval:recorded"),
  stage_id: z.string(),
  decision: z.enum(["approved", "rejected"]),
  actor: z.string(),
  approval: Approval.optional(),
  ...base,
});
/** Someone tried to resume the run (`resume_event` is what the manifest keeps). */
export const ResumeRequestedEvent = z.looseObject({
  type: z.literal("run:resume"),
  actor: z.string(),
  outcome: z.enum(["accepted", "blocked"]),
  detail: z.string().nullable(),
  resume_event: ResumeEvent.optional(),
  ...base,
});
/** A nested run was started by this run. */
export const ChildRunEvent = z.looseObject({
  type: z.literal("child:start"),
  child_run_id: z.string(),
  child_task_id: z.string(),
  pipeline_id: z.string(),
  ...base,
});

/** One line of `runner.ndjson` or `commands/NN-<slug>.ndjson`, discriminated on `type`. */
export const RunEvent = z.discriminatedUnion("type", [
  RunCreatedEvent,
  StageChildEvent,
  StageCacheEvent,
  RunHeartbeatEvent,
  ChildRegisteredEvent,
  CommandStartEvent,
  CommandStdoutEvent,
  CommandStderrEvent,
  CommandEndEvent,
  RunStartEvent,
  RunEndEvent,
  StageStatusEvent,
  ApprovalRequestedEvent,
  ApprovalRecordedEvent,
  ResumeRequestedEvent,
  ChildRunEvent,
]);
/** One line of `runner.ndjson` or a stage's own log. */
export type RunEvent = z.infer<typeof RunEvent>;
/** The `type` of every event. */
export type RunEventType = RunEvent["type"];

/** The events that change a run's state (all but output), which the manifest is built from. */
export const RunStateEvent = z.discriminatedUnion("type", [
  RunCreatedEvent,
  RunStartEvent,
  RunEndEvent,
  RunHeartbeatEvent,
  ResumeRequestedEvent,
  StageStatusEvent,
  StageChildEvent,
  StageCacheEvent,
  CommandStartEvent,
  CommandEndEvent,
  ApprovalRequestedEvent,
  ApprovalRecordedEvent,
  ChildRunEvent,
  ChildRegisteredEvent,
]);
/** An event that changes a run's state. */
export type RunStateEvent = z.infer<typeof RunStateEvent>;

/** A state event before the writer stamps it with its time, index and sequence number. */
export type RunStateEventInput = WithoutStamp<RunStateEvent>;
// Omit<> would drop every known key of a loose object (its index signature swallows them); a
// remapped key filter keeps them.
type WithoutStamp<E> = E extends unknown
  ? { [K in keyof E as K extends "timestamp" | "index" | "seq" ? never : K]: E[K] }
  : never;

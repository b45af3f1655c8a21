import * as z from "zod";
import { RunStatus, StageStatus, Timestamp } from "./primitives.js";

// Every line carries type, timestamp and index (the 1-based stage, or null for run-level events).
const base = {
  timestamp: Timestamp,
  index: z.int().min(1).nullable(),
};
const stageBase = {
  timestamp: Timestamp,
  index: z.int().min(1),
  attempt: z.int().min(1).optional(),
};

/** A stage's command was spawned. */
export const CommandStartEvent = z.looseObject({
  type: z.literal("command:start"),
  command: z.string(),
  ...stageBase,
});
/** A chunk of a command's standard output. */
export const CommandStdoutEvent = z.looseObject({
  type: z.literal("command:stdout"),
  data: z.string(),
  ...stageBase,
});
/** A chunk of a command's standard error. */
export const CommandStderrEvent = z.looseObject({
  type: z.literal("command:stderr"),
  data: z.string(),
  ...stageBase,
});
/** A stage's command ended (`signal` set when a signal killed it). */
export const CommandEndEvent = z.looseObject({
  type: z.literal("command:end"),
  exit_code: z.int().nullable(),
  signal: z.string().nullable(),
  reason: z.enum(["exit", "signal", "timeout", "spawn-error"]).optional(),
  ...stageBase,
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
/** The run stopped: finished, paused or cancelled. */
export const RunEndEvent = z.looseObject({
  type: z.literal("run:end"),
  status: RunStatus,
  status_detail: z.string().nullable(),
  ...base,
});
/** A stage changed status. */
export const StageStatusEvent = z.looseObject({
  type: z.literal("stage:status"),
  stage_id: z.string(),
  status: StageStatus,
  ...base,
});
/** A manual stage is waiting for a decision. */
export const ApprovalRequestedEvent = z.looseObject({
  type: z.literal("approval:requested"),
  stage_id: z.string(),
  plan_hash: z.string(),
  ...base,
});
/** A decision was recorded for a manual stage. */
export const ApprovalRecordedEvent = z.looseObject({
  type: z.literal("approval:recorded"),
  stage_id: z.string(),
  decision: z.enum(["approved", "rejected"]),
  actor: z.string(),
  ...base,
});
/** Someone tried to resume the run. */
export const ResumeRequestedEvent = z.looseObject({
  type: z.literal("run:resume"),
  actor: z.string(),
  outcome: z.enum(["accepted", "blocked"]),
  detail: z.string().nullable(),
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

import * as z from "zod";
import { NullableTimestamp, RunStatus, StageKind, StageStatus, Timestamp } from "./primitives.js";
import { Provenance } from "./provenance.js";

/** Why an attempt of a command ended (`stalled`: the worker running it was lost). */
export const ExitReason = z.enum(["exit", "signal", "timeout", "spawn-error", "stalled"]);
/** Why an attempt of a command ended. */
export type ExitReason = z.infer<typeof ExitReason>;

/** One try of a command stage (stages with `retries` have several). */
export const CommandAttempt = z.looseObject({
  attempt: z.int().min(1),
  started_at: Timestamp,
  completed_at: NullableTimestamp,
  exit_code: z.int().nullable(),
  signal: z.string().nullable(),
  reason: ExitReason.nullable(),
  /** The worker that ran this attempt, when it ran on a worker (`executor: bullmq`). */
  worker: z.string().nullable().optional(),
  /** The host name of that worker. */
  host: z.string().nullable().optional(),
});
/** One try of a command stage. */
export type CommandAttempt = z.infer<typeof CommandAttempt>;

/**
 * What the stage cache did for a stage (docs/cache.md): on a hit, the command did not run and its
 * outputs and log came from the run named here; on a miss, whether the success was stored.
 */
export const StageCacheRecord = z.looseObject({
  hit: z.boolean(),
  /** `sha256:<hex>` of everything the stage's result depends on. */
  key: z.string().min(1),
  /** Hit: the run, task and time the reused result came from. */
  source_run_id: z.string().nullable(),
  source_task_id: z.string().nullable().optional(),
  source_completed_at: NullableTimestamp.optional(),
  /** Hit: files restored; miss: files stored (when stored). */
  files: z.int().min(0).nullable().optional(),
  /** Miss: whether the stage's outputs and log were stored (false: failed, forced off, or too large). */
  stored: z.boolean().nullable().optional(),
  /** Why it missed although an entry existed (corrupt, unsafe), or why it was not stored. */
  note: z.string().nullable().optional(),
});
/** What the stage cache did for a stage. */
export type StageCacheRecord = z.infer<typeof StageCacheRecord>;

/** One stage of a run as recorded in `manifest.commands[]`. */
export const CommandEntry = z.looseObject({
  index: z.int().min(1),
  id: z.string().min(1),
  title: z.string(),
  kind: StageKind,
  command: z.string().nullable(),
  status: StageStatus,
  started_at: NullableTimestamp,
  completed_at: NullableTimestamp,
  exit_code: z.int().nullable(),
  summary: z.string().nullable(),
  log_path: z.string().nullable(),
  error_file: z.string().nullable(),
  sub_run_id: z.string().nullable(),
  guardrail: z.boolean().optional(),
  signal: z.string().nullable().optional(),
  exit_reason: ExitReason.nullable().optional(),
  attempts: z.array(CommandAttempt).optional(),
  /** The ids of the stages this one waited for (the stage graph). */
  needs: z.array(z.string()).optional(),
  /** Why a stage was stopped or not run: `stopped: stage build failed`, `not run: needs build (failed)`. */
  status_detail: z.string().nullable().optional(),
  /** How long the stage's last run took (started to completed), in milliseconds. */
  duration_ms: z.number().min(0).nullable().optional(),
  /** Set when the stage declares `cache`: hit (reused, from which run) or miss. */
  cache: StageCacheRecord.optional(),
});
/** One stage of a run as recorded in the manifest. */
export type CommandEntry = z.infer<typeof CommandEntry>;

/** A nested run started by this run (a subpipeline stage or a sub-agent `start`). */
export const ChildRun = z.looseObject({
  run_id: z.string().min(1),
  task_id: z.string().min(1),
  pipeline_id: z.string().min(1),
  status: RunStatus,
  manifest: z.string().min(1),
});
/** A nested run started by this run. */
export type ChildRun = z.infer<typeof ChildRun>;

/** A decision recorded at a manual stage; cite as `<manifest>#approvals[<i>]`. */
export const Approval = z.looseObject({
  stage_id: z.string().min(1),
  actor: z.string().min(1),
  decision: z.enum(["approved", "rejected"]),
  reason: z.string().nullable(),
  timestamp: Timestamp,
  plan_hash: z.string().min(1),
});
/** A decision recorded at a manual stage. */
export type Approval = z.infer<typeof Approval>;

/** One attempt to resume the run, accepted or refused. */
export const ResumeEvent = z.looseObject({
  actor: z.string().min(1),
  // Written non-empty (default "manual-resume"); null only in runs of earlier versions.
  reason: z.string().nullable(),
  outcome: z.enum(["accepted", "blocked"]),
  detail: z.string().nullable(),
  timestamp: Timestamp,
});
/** One attempt to resume the run. */
export type ResumeEvent = z.infer<typeof ResumeEvent>;

/** `manifest.json`, schema version 1 (docs/contract.md §3.1). Unknown extra fields are kept. */
export const Manifest = z.looseObject({
  version: z.literal(1),
  task_id: z.string().min(1),
  task_slug: z.string().nullable(),
  run_id: z.string().min(1),
  parent_run_id: z.string().nullable(),
  pipeline_id: z.string().min(1),
  pipeline_title: z.string(),
  runner: z.literal("codex-cli"),
  approval_policy: z.string().nullable(),
  status: RunStatus,
  status_detail: z.string().nullable(),
  started_at: Timestamp,
  updated_at: Timestamp,
  completed_at: NullableTimestamp,
  heartbeat_at: NullableTimestamp,
  heartbeat_interval_seconds: z.number().positive(),
  heartbeat_stale_after_seconds: z.number().positive(),
  artifact_root: z.string().min(1),
  compat_path: z.string().nullable(),
  log_path: z.string().min(1),
  summary: z.string(),
  metrics_recorded: z.boolean(),
  resume_token: z.string().min(1),
  resume_events: z.array(ResumeEvent),
  approvals: z.array(Approval),
  commands: z.array(CommandEntry),
  child_runs: z.array(ChildRun),
  run_summary_path: z.string().nullable(),
  plan_hash: z.string().optional(),
  pipeline_source: z.string().optional(),
  /** How many stages could run at once, and whether branches ran on after a failure. */
  concurrency: z.int().min(1).optional(),
  continue_on_failure: z.boolean().optional(),
  /** When the run last stopped (ended, or paused at a gate); null again once a resume continues it. */
  stopped_at: NullableTimestamp.optional(),
  /** Seconds the run stood stopped (at a gate, or failed or crashed) before resumes continued it. */
  paused_seconds: z.number().min(0).optional(),
  /** The sequence number of the last event of runner.ndjson this manifest reflects. */
  event_seq: z.int().min(0).optional(),
  /** Where the run came from (commit, actor, host, CI, tools, configs); docs/evidence.md. */
  provenance: Provenance.nullable().optional(),
});
/** `manifest.json`, schema version 1. */
export type Manifest = z.infer<typeof Manifest>;

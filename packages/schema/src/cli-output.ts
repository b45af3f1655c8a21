import * as z from "zod";
import { Approval, ChildRun, CommandEntry } from "./manifest.js";
import { NullableTimestamp, RunStatus, StageKind } from "./primitives.js";

/** What `start --format json` (and `resume --format json`) prints. */
export const StartOutput = z.looseObject({
  run_id: z.string().min(1),
  task_id: z.string().min(1),
  pipeline_id: z.string().min(1),
  status: RunStatus,
  status_detail: z.string().nullable(),
  artifact_root: z.string().min(1),
  manifest: z.string().min(1),
  log_path: z.string().min(1),
  exit_code: z.int(),
});
/** What `start --format json` prints. */
export type StartOutput = z.infer<typeof StartOutput>;

/** Heartbeat facts reported by `status`. */
export const HeartbeatStatus = z.looseObject({
  updated_at: NullableTimestamp,
  age_seconds: z.number().nullable(),
  stale: z.boolean(),
  interval_seconds: z.number(),
  stale_after_seconds: z.number(),
  owner_alive: z.boolean().nullable().optional(),
});
/** Heartbeat facts reported by `status`. */
export type HeartbeatStatus = z.infer<typeof HeartbeatStatus>;

/** The failing stage of a failed run, with the tail of its output. */
export const FailureStatus = z.looseObject({
  stage_id: z.string(),
  index: z.int().min(1),
  exit_code: z.int().nullable(),
  error_file: z.string().nullable(),
  tail: z.array(z.string()),
});
/** The failing stage of a failed run. */
export type FailureStatus = z.infer<typeof FailureStatus>;

/**
 * The gate that stops a run: waiting for a decision, or rejected. Its own, or one inside a child run
 * (a subpipeline stage), found by following that stage down. `via` names the stages passed on the way.
 */
export const WaitingGate = z.looseObject({
  run_id: z.string().min(1),
  stage_id: z.string().min(1),
  /** `pending`: waiting for a decision; `rejected`: rejected, so the run failed there. */
  decision: z.enum(["pending", "rejected"]),
  via: z.array(z.string()),
});
/** The gate a paused run waits on. */
export type WaitingGate = z.infer<typeof WaitingGate>;

/** A child run as `status` shows it: its current status, and what it is doing. */
export const StatusChildRun = ChildRun.extend({
  status_detail: z.string().nullable().optional(),
  /** Its stages running now. */
  running_stages: z.array(z.string()).optional(),
});
/** A child run as `status` shows it. */
export type StatusChildRun = z.infer<typeof StatusChildRun>;

/** What `status --format json` prints (docs/contract.md §1). */
export const StatusOutput = z.looseObject({
  run_id: z.string().min(1),
  task_id: z.string().min(1),
  pipeline_id: z.string().min(1),
  status: RunStatus,
  status_detail: z.string().nullable(),
  started_at: z.string(),
  completed_at: NullableTimestamp,
  manifest: z.string().min(1),
  artifact_root: z.string().min(1),
  log_path: z.string().min(1),
  compat_path: z.string().nullable(),
  parent_run_id: z.string().nullable(),
  heartbeat_at: NullableTimestamp,
  heartbeat: HeartbeatStatus,
  metrics: z.looseObject({ recorded: z.boolean(), path: z.string() }),
  commands: z.array(CommandEntry),
  child_runs: z.array(StatusChildRun),
  approvals: z.array(Approval),
  pending_approvals: z.array(z.string()).optional(),
  /** The gate to approve before `resume` can continue the run (its own or a child run's); null when none. */
  waiting_gate: WaitingGate.nullable().optional(),
  failure: FailureStatus.nullable().optional(),
  summary: z.string().optional(),
  /** The git commit the run started from (its provenance); null outside git or before it was recorded. */
  commit: z.string().nullable().optional(),
});
/** What `status --format json` prints. */
export type StatusOutput = z.infer<typeof StatusOutput>;

/** A cached stage as `plan` sees it (docs/cache.md: debugging a miss). */
export const PlanStageCache = z.looseObject({
  /** The key from the files and environment as they are now (null: not cached, `reason` says why). */
  key: z.string().nullable(),
  /** Whether the cache holds that key: a run would reuse the stage. */
  hit: z.boolean(),
  /** Why the stage is not cached (`guardrail`, `--no-cache`), or null. */
  reason: z.string().nullable(),
  /** The run that stored the stage's latest entry (the last hit or stored miss), when known. */
  last_key: z.string().nullable(),
  last_run_id: z.string().nullable(),
  /** What differs from that entry: `input src/a.ts changed`, `env NODE_ENV changed`, `command changed`. */
  changes: z.array(z.string()),
});
/** A cached stage as `plan` sees it. */
export type PlanStageCache = z.infer<typeof PlanStageCache>;

/** One stage as `plan` shows it. */
export const PlanStage = z.looseObject({
  index: z.int().min(1),
  id: z.string().min(1),
  title: z.string(),
  kind: StageKind,
  guardrail: z.boolean(),
  origin: z.string(),
  command: z.string().nullable(),
  cwd: z.string().nullable(),
  env: z.record(z.string(), z.string()),
  allow_failure: z.boolean(),
  timeout_seconds: z.number().nullable(),
  retries: z.int().min(0),
  pipeline: z.string().nullable(),
  task: z.string().nullable(),
  optional: z.boolean(),
  instructions: z.string().nullable(),
  /** The stages it waits for. */
  needs: z.array(z.string()).optional(),
  /** Its wave: stages of one wave can run together once every earlier wave is done. */
  wave: z.int().min(1).optional(),
  /** The original CLI's name for `allow_failure`. */
  allowFailure: z.boolean(),
  /** The stage's `summaryHint` (command stages), as the original CLI showed it. */
  summaryHint: z.string().nullable(),
  /** Stages that declare `cache`: their key now, whether a run would reuse it, and why not. */
  cache: PlanStageCache.nullable().optional(),
});
/** One stage as `plan` shows it. */
export type PlanStage = z.infer<typeof PlanStage>;

/** What `plan --format json` prints. */
export const PlanOutput = z.looseObject({
  task_id: z.string().min(1),
  pipeline: z.looseObject({
    id: z.string().min(1),
    title: z.string(),
    description: z.string().nullable(),
    /** The original CLI's: `default` for a built-in pipeline, `user` for one from a config file. */
    source: z.enum(["user", "default"]),
    /** Where it is defined: `built-in`, `codex.orchestrator.json`, `packages/web/codex.orchestrator.json`. */
    defined_in: z.string(),
    extends: z.array(z.string()),
    /** The pipeline's concurrency limit (null: the number of CPUs) and failure mode. */
    concurrency: z.int().min(1).nullable().optional(),
    continue_on_failure: z.boolean().optional(),
  }),
  plan_hash: z.string().min(1),
  stages: z.array(PlanStage),
  guardrails: z.looseObject({ present: z.boolean(), stages: z.array(z.string()) }),
  /** The stage ids of each wave, in order: the stages that can run together. */
  waves: z.array(z.array(z.string())).optional(),
  /** The original CLI's plan: one item `<pipeline>:<stage>` per stage, `notes` the description. */
  plan: z.looseObject({
    items: z.array(
      z.looseObject({ id: z.string().min(1), description: z.string(), requires_cloud: z.boolean() }),
    ),
    notes: z.string().optional(),
  }),
});
/** What `plan --format json` prints. */
export type PlanOutput = z.infer<typeof PlanOutput>;

/**
 * One row of `runs --format json`. A run whose manifest cannot be read is listed too, with status
 * `unreadable`, `reason` saying why, and null where the manifest would have told.
 */
export const RunListEntry = z.looseObject({
  run_id: z.string().min(1),
  task_id: z.string().min(1),
  pipeline_id: z.string().min(1).nullable(),
  parent_run_id: z.string().nullable(),
  status: z.union([RunStatus, z.literal("unreadable")]),
  reason: z.string().optional(),
  started_at: z.string(),
  completed_at: NullableTimestamp,
  duration_seconds: z.number().nullable(),
  /** Seconds spent running: the wall time since the start less {@link paused_seconds}. */
  busy_seconds: z.number().nullable().optional(),
  /** Seconds stopped at a gate (or failed) before a resume continued the run. */
  paused_seconds: z.number().nullable().optional(),
  guardrails: z.string(),
  approvals: z.int().min(0),
  manifest: z.string().min(1),
  /** The git commit the run started from (its provenance); null outside git or before it was recorded. */
  commit: z.string().nullable().optional(),
});
/** One row of `runs --format json`. */
export type RunListEntry = z.infer<typeof RunListEntry>;

/** One entry of `cache ls --format json`. */
export const CacheListEntry = z.looseObject({
  key: z.string().min(1),
  task_id: z.string().nullable(),
  pipeline_id: z.string().nullable(),
  stage_id: z.string().nullable(),
  /** The run whose success was stored. */
  run_id: z.string().nullable(),
  created_at: z.string().nullable(),
  /** When it was last stored or reused (least recently used entries are pruned first). */
  last_used_at: z.string(),
  files: z.int().min(0),
  size_bytes: z.int().min(0),
  /** False when its entry.json cannot be read: `cache prune` removes it. */
  readable: z.boolean(),
});
/** One entry of `cache ls --format json`. */
export type CacheListEntry = z.infer<typeof CacheListEntry>;

import * as z from "zod";
import { NullableTimestamp, RunStatus, StageStatus, Timestamp } from "./primitives.js";

/** One line of `<runs>/<task>/metrics.json` (JSON Lines), docs/contract.md §3.3. */
export const MetricsLine = z.looseObject({
  run_id: z.string().min(1),
  task_id: z.string().min(1),
  pipeline_id: z.string().min(1),
  status: RunStatus,
  started_at: Timestamp,
  completed_at: NullableTimestamp,
  duration_seconds: z.number().min(0),
  commands_passed: z.int().min(0),
  commands_failed: z.int().min(0),
  guardrails_present: z.boolean(),
  recorded_at: Timestamp,
  artifact_path: z.string().min(1),
  child_runs: z.int().min(0),
  approvals: z.int().min(0),
});
/** One line of `metrics.json`. */
export type MetricsLine = z.infer<typeof MetricsLine>;

/** `resume-token.json`: the secret a resumer must present. */
export const ResumeToken = z.looseObject({
  run_id: z.string().min(1),
  token: z.string().min(1),
  created_at: Timestamp,
});
/** `resume-token.json`. */
export type ResumeToken = z.infer<typeof ResumeToken>;

/** `<runs>/<task>/mcp/<run>/manifest.json`: points legacy MCP readers at the real manifest. */
export const McpCompatPointer = z.looseObject({
  redirect_to: z.string().min(1),
  manifest: z.string().min(1),
  created_at: Timestamp,
  note: z.string(),
});
/** The legacy MCP pointer. */
export type McpCompatPointer = z.infer<typeof McpCompatPointer>;

/** `<runs>/local-mcp/<run>/compat.json`: describes the local-mcp link. */
export const LocalCompatRecord = z.looseObject({
  artifact_root: z.string().min(1),
  manifest: z.string().min(1),
  pointer: z.enum(["symlink", "stub"]),
  created_at: Timestamp,
});
/** The local-mcp compat record. */
export type LocalCompatRecord = z.infer<typeof LocalCompatRecord>;

/** `<runs>/local-mcp/<run>/manifest.json` where symlinks fail: a stub naming the manifest. */
export const LocalManifestStub = z.looseObject({
  redirect_to: z.string().min(1),
  manifest: z.string().min(1),
  created_at: Timestamp,
  note: z.string(),
});
/** The local-mcp manifest stub. */
export type LocalManifestStub = z.infer<typeof LocalManifestStub>;

/** Guardrail outcome of a run. */
export const GuardrailResult = z.looseObject({
  present: z.boolean(),
  total: z.int().min(0),
  passed: z.int().min(0),
  failed: z.int().min(0),
  status: z.enum(["succeeded", "failed", "pending", "missing"]),
  line: z.string(),
});
/** Guardrail outcome of a run. */
export type GuardrailResult = z.infer<typeof GuardrailResult>;

/**
 * The keys of the original CLI's run summary (`taskId`, `runId`, `mode`, `plan`, `build`, `test`,
 * `review`, `timestamp`), kept beside ours in `run-summary.json` and `state.json` for its readers
 * (its state store sorts on `timestamp` and matches on `runId`).
 */
export const OriginalRunSummaryFields = {
  taskId: z.string().min(1),
  runId: z.string().min(1),
  mode: z.string().min(1),
  plan: z.looseObject({
    items: z.array(z.looseObject({ id: z.string().min(1), description: z.string() })),
    notes: z.string().optional(),
  }),
  build: z.looseObject({
    subtaskId: z.string(),
    artifacts: z.array(z.looseObject({ path: z.string(), description: z.string() })),
    mode: z.string().min(1),
    runId: z.string().min(1),
    success: z.boolean(),
    notes: z.string().optional(),
  }),
  test: z.looseObject({
    subtaskId: z.string(),
    success: z.boolean(),
    reports: z.array(
      z.looseObject({
        name: z.string(),
        status: z.enum(["passed", "failed"]),
        details: z.string().optional(),
      }),
    ),
    runId: z.string().min(1),
  }),
  review: z.looseObject({
    summary: z.string(),
    decision: z.looseObject({ approved: z.boolean(), feedback: z.string().optional() }),
  }),
  timestamp: Timestamp,
};

/** `run-summary.json`: the TaskManager's summary of one run, with the original CLI's keys beside ours. */
export const RunSummary = z.looseObject({
  ...OriginalRunSummaryFields,
  run_id: z.string().min(1),
  task_id: z.string().min(1),
  pipeline_id: z.string().min(1),
  parent_run_id: z.string().nullable(),
  status: RunStatus,
  status_detail: z.string().nullable(),
  started_at: Timestamp,
  completed_at: NullableTimestamp,
  duration_seconds: z.number().min(0),
  manifest: z.string().min(1),
  commands: z.array(
    z.looseObject({
      index: z.int().min(1),
      id: z.string().min(1),
      status: StageStatus,
      exit_code: z.int().nullable(),
    }),
  ),
  guardrails: GuardrailResult,
  approvals: z.int().min(0),
  child_runs: z.int().min(0),
  summary: z.string(),
  /** The git commit the run started from (its provenance); null outside git or before it was recorded. */
  commit: z.string().nullable().optional(),
});
/** `run-summary.json`. */
export type RunSummary = z.infer<typeof RunSummary>;

/**
 * One run of `state.json` as we write it: the run summary without its per-stage lists (`commands`,
 * `plan.items`, the multi-line `summary`), so the snapshot grows by one small entry per run.
 */
export const StateRunEntry = RunSummary.omit({ commands: true, summary: true });
/** One run of `state.json` as we write it. */
export type StateRunEntry = z.infer<typeof StateRunEntry>;

/**
 * `<out>/<task>/state.json`: one entry per run, oldest first. Entries are kept as found: the original
 * CLI's (`runId`, `timestamp`, …, none of ours) as well as ours ({@link StateRunEntry}).
 * `lastRunAt` is the newest run's timestamp, "" in a snapshot the original CLI started empty.
 */
export const StateSnapshot = z.looseObject({
  taskId: z.string().min(1),
  lastRunAt: z.string().nullable(),
  runs: z.array(z.record(z.string(), z.unknown())),
});
/** `<out>/<task>/state.json`. */
export type StateSnapshot = z.infer<typeof StateSnapshot>;

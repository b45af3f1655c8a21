import type { RunStatus } from "@codex/orchestrator-schema";
import type { StageExecutor } from "./engine/stage-executor.js";
import type { CacheMode } from "./engine/stages/stage-cache.js";
import type { ApprovalPrompt } from "./runs/approval-policy.js";

/** Options for {@link CodexOrchestrator}. */
export interface CodexOrchestratorOptions {
  /** The repo root (default `CODEX_ORCHESTRATOR_ROOT`, else `cwd`). */
  root?: string;
  /** Environment for settings and stage commands (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Working directory, for relative roots and project detection (default `process.cwd()`). */
  cwd?: string;
  /**
   * Between SIGTERM and SIGKILL when a stage is stopped (default 5000 ms, or
   * `CODEX_ORCHESTRATOR_KILL_GRACE_MS`); shorter inside a parent run's stage (nested-grace.ts).
   */
  killGraceMs?: number;
}

/** Options shared by {@link CodexOrchestrator.start} and {@link CodexOrchestrator.resume}. */
export interface ExecuteOptions {
  /** `prompt` (default), `pause`, `auto-approve` or `auto-reject`. */
  approvalPolicy?: string;
  /** Asks for a decision inline (a terminal); without it, `prompt` pauses. */
  approvalPrompt?: ApprovalPrompt;
  /** Aborting stops the running stages (SIGTERM, then SIGKILL) and cancels the run; the reason names the signal. */
  abortSignal?: AbortSignal;
  /** How many stages may run at once; default: the pipeline's `concurrency`, else the number of CPUs. */
  concurrency?: number;
  /** After a failure, let independent branches run to their end (default: the pipeline's `continueOnFailure`). */
  continueOnFailure?: boolean;
  /** Write `report.html` when the run ends (default: the config's `report.onRunEnd`, else true). */
  report?: boolean;
  /** Export the run as an OpenTelemetry trace when it ends (default: config `otel.enabled`, else when OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  otel?: boolean;
  /**
   * The stage cache: `use` (default) reuses and stores, `refresh` (`--force`) runs every stage and
   * stores anew, `off` (`--no-cache`) neither reads nor writes it (docs/cache.md).
   */
  cache?: CacheMode;
  /** Runs the command stages (default: here); see docs/distributed.md for `bullmq`. */
  executor?: StageExecutor;
}

/** Options for {@link CodexOrchestrator.start}. */
export interface StartOptions extends ExecuteOptions {
  taskId?: string;
  /** Attach to this parent run (default `CODEX_ORCHESTRATOR_PARENT_RUN_ID`, set inside every stage). */
  parentRunId?: string;
  /** Who starts the run, for its provenance (default: the OS user). */
  actor?: string;
}

/** Options for {@link CodexOrchestrator.resume}. */
export interface ResumeOptions extends ExecuteOptions {
  token?: string;
  /** Who resumes (default `cli`, the original CLI's value). */
  actor?: string;
  reason?: string;
  /** Take over from an owner that looks alive but whose heartbeat is stale (`resume --force`). */
  force?: boolean;
}

/** Options for {@link CodexOrchestrator.approve}. */
export interface ApproveOptions {
  /** The manual stage (default: the one gate that is waiting). */
  stageId?: string;
  /** Who decides (default: the user name, {@link resolveActor}). */
  actor?: string;
  reason?: string;
  reject?: boolean;
  /** The plan hash the approver reviewed; refused when the run's plan differs. */
  planHash?: string;
  /** When the approver issued the decision: a decision for the gate recorded after it refuses this one. */
  issuedAt?: Date;
}

/** What a started or resumed run came to. */
export interface RunResult {
  runId: string;
  taskId: string;
  pipelineId: string;
  status: RunStatus;
  statusDetail: string | null;
  /** Repo-relative paths. */
  artifactRoot: string;
  manifest: string;
  logPath: string;
  /** docs/contract.md §1 exit code for this outcome. */
  exitCode: number;
}

import type { CommandStage } from "@codex/orchestrator-schema";
import { stopLeftovers } from "../process/leftover-processes.js";
import { runShellCommand, type ProcessOutcome } from "../process/process-runner.js";
import { STAGE_MARKER_VARIABLE } from "../process/leftover-processes.js";
import type { CacheStore } from "../cache/cache-store.js";
import type { StageFingerprint } from "../cache/stage-key.js";

/** Where an attempt runs: this process, or a named worker on a host. */
export interface AttemptPlace {
  /** The shell's pid (its process group), when it runs here. */
  pid: number | null;
  /** The worker's id and host, when it runs on a worker. */
  worker: string | null;
  host: string | null;
}

/** One attempt of a command stage, as the coordinator hands it to an executor. */
export interface AttemptRequest {
  runId: string;
  taskId: string;
  pipelineId: string;
  /** The plan hash of the run: a worker plans the stage itself and refuses a different plan. */
  planHash: string;
  stage: CommandStage;
  index: number;
  attempt: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The attempt's stage marker (`CODEX_ORCHESTRATOR_STAGE_MARKER`). */
  marker: string;
  killGraceMs: number;
  timeoutMs: number | undefined;
  /**
   * An earlier attempt a killed coordinator started and never saw end (a resume). An executor whose
   * attempts outlive the coordinator re-attaches to it instead of running the stage again.
   */
  unfinishedAttempt: number | null;
  abortSignal: AbortSignal;
  /** Told when the command runs, and where. */
  onStart: (place: AttemptPlace) => void;
  /** The command's output bytes as they come; a chunk may end inside a UTF-8 character. */
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
  /**
   * Set on a cache miss when the executor has a {@link StageExecutor.sharedCache}: the key the
   * coordinator computed and the needs it was computed from. Whoever runs the stage computes the
   * key again from its own checkout and stores a success only when both agree.
   */
  cache?: AttemptCache | null;
}

/** What a miss hands to an executor that stores results where it runs them. */
export interface AttemptCache {
  key: string;
  needs: StageFingerprint["needs"];
  /** Store over what the key holds (`--force`, or an entry found unusable). */
  replace: boolean;
}

/** Whether the place that ran a succeeded attempt stored it in the shared cache. */
export interface AttemptCacheReport {
  stored: boolean;
  files: number | null;
  note: string | null;
}

/** How an attempt ended (`stalled`: the worker running it, or Redis's record of it, was lost). */
export interface AttemptResult {
  outcome: ProcessOutcome;
  leftoversStopped: number;
  /** Set by an executor with a shared cache when the attempt ran with {@link AttemptRequest.cache}. */
  cache?: AttemptCacheReport | null;
}

/**
 * Runs command-stage attempts. The coordinator keeps everything else (records, output decoding,
 * redaction, logs, retries): an executor only runs one attempt and streams its bytes home.
 */
export interface StageExecutor {
  readonly kind: string;
  runAttempt(request: AttemptRequest): Promise<AttemptResult>;
  /**
   * A cache store shared with the places this executor runs stages (their outputs exist only
   * there). When set, a run looks stages up in it instead of the local store, and a miss is stored
   * by whoever ran it, never from the coordinator's checkout.
   */
  readonly sharedCache?: CacheStore;
  /** Releases connections; called once when the top-level run ends. */
  close(): Promise<void>;
}

/** Thrown by an executor that cannot reach its workers any longer: the run fails `executor:unavailable`. */
export class ExecutorUnavailableError extends Error {
  override readonly name = "ExecutorUnavailableError";
}

/** Today's behaviour: the command runs in this process's machine, in a process group of its own. */
export const localExecutor: StageExecutor = {
  kind: "local",
  async runAttempt(request) {
    let shellPid: number | null = null;
    let started = false;
    const running = runShellCommand({
      command: request.stage.command,
      cwd: request.cwd,
      env: { ...request.env, [STAGE_MARKER_VARIABLE]: request.marker },
      killGraceMs: request.killGraceMs,
      abortSignal: request.abortSignal,
      ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
      onStdout: request.onStdout,
      onStderr: request.onStderr,
      onSpawn: (pid) => {
        shellPid = pid;
        started = true;
        request.onStart({ pid, worker: null, host: null });
      },
    });
    if (!started) request.onStart({ pid: null, worker: null, host: null });
    const outcome = await running;
    const leftovers = await stopLeftovers({
      marker: request.marker,
      processGroup: shellPid,
      killGraceMs: request.killGraceMs,
    });
    return { outcome, leftoversStopped: leftovers.stopped };
  },
  close: () => Promise.resolve(),
};

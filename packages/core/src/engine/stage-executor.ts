import type { CommandStage } from "@codex/orchestrator-schema";
import { stopLeftovers } from "../process/leftover-processes.js";
import { runShellCommand, type ProcessOutcome } from "../process/process-runner.js";
import { STAGE_MARKER_VARIABLE } from "../process/leftover-processes.js";

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
}

/** How an attempt ended (`stalled`: the worker running it, or Redis's record of it, was lost). */
export interface AttemptResult {
  outcome: ProcessOutcome;
  leftoversStopped: number;
}

/**
 * Runs command-stage attempts. The coordinator keeps everything else (records, output decoding,
 * redaction, logs, retries): an executor only runs one attempt and streams its bytes home.
 */
export interface StageExecutor {
  readonly kind: string;
  runAttempt(request: AttemptRequest): Promise<AttemptResult>;
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

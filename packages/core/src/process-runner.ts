import fs from "node:fs";
import type { ExitReason } from "@codex/orchestrator-schema";
import {
  launchShellNatively,
  launchShellPumped,
  NO_TAILS,
  type LaunchedProcess,
  type PumpedOutputOptions,
  type PumpedOutputTails,
  type PumpedProcess,
} from "./native-spawn.js";

/** How a child process ended. */
export interface ProcessOutcome {
  exitCode: number | null;
  signal: string | null;
  /** Why it ended: its own exit, a signal, our timeout, failure to start, or cancellation. */
  reason: ExitReason | "cancelled";
  /** A message for spawn errors. */
  error: string | null;
}

/** Options for {@link runShellCommand}: output decoded as UTF-8. */
export interface RunShellCommandOptions extends ShellCommandOptions {
  onStdout: (chunk: string) => void;
  onStderr: (chunk: string) => void;
}

/** Options for {@link runShellCommandBytes}: output as it was read. */
export interface RunShellCommandBytesOptions extends ShellCommandOptions {
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

/** Options for {@link runShellCommandPumped}: output written by the pump straight to files. */
export interface RunShellCommandPumpedOptions extends ShellCommandOptions {
  /**
   * Where the output goes, asked for once the command has started and before its output is read
   * (not when it could not start). When it throws, the command is killed and the error rethrown.
   */
  output: () => PumpedOutputOptions;
}

/** How a pumped command ended, and the last of its output. */
export interface PumpedProcessOutcome extends ProcessOutcome {
  tails: PumpedOutputTails;
}

/** What every way of running a command takes. */
export interface ShellCommandOptions {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Kill the command after this long (its whole process group). */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL when stopping a command (default 5000 ms). */
  killGraceMs?: number;
  /** Stops the command (gently, then by force) when aborted. */
  abortSignal?: AbortSignal;
}

// After the shell exits, background children may keep its pipes open; stop waiting for them then.
const DRAIN_AFTER_EXIT_MS = 200;

/**
 * Runs a command through the system shell in its own process group, streaming decoded output
 * chunk by chunk. Stopping it (timeout, abort) signals the whole group, background grandchildren
 * included: SIGTERM first, SIGKILL after the grace period.
 */
export function runShellCommand(options: RunShellCommandOptions): Promise<ProcessOutcome> {
  return runShell(options, "utf8");
}

/**
 * As {@link runShellCommand}, streaming the output's bytes as they were read: a chunk may end
 * inside a UTF-8 character, which the next chunk completes.
 */
export function runShellCommandBytes(options: RunShellCommandBytesOptions): Promise<ProcessOutcome> {
  return runShell(options, null);
}

/**
 * As {@link runShellCommand}, with the output appended by the compiled pump straight to files as
 * output event lines, without passing through JavaScript. Settles once the pump has written all
 * of it; rejects with what `output` threw. Returns null where the compiled launcher is not
 * available.
 */
export function runShellCommandPumped(
  options: RunShellCommandPumpedOptions,
): Promise<PumpedProcessOutcome> | null {
  const missing = missingDirectory(options.cwd);
  if (missing !== null) return Promise.resolve({ ...missing, tails: NO_TAILS });
  let child: PumpedProcess | null;
  try {
    child = launchShellPumped(options.command, {
      cwd: options.cwd,
      env: options.env,
      output: options.output,
    });
  } catch (error) {
    return Promise.reject(error);
  }
  if (child === null) return null;
  const started = child;
  return supervise(started, options).then(async (outcome) => ({
    ...outcome,
    tails: await started.outputEnded,
  }));
}

async function runShell(
  options: RunShellCommandOptions | RunShellCommandBytesOptions,
  encoding: "utf8" | null,
): Promise<ProcessOutcome> {
  const missing = missingDirectory(options.cwd);
  if (missing !== null) return missing;
  // The compiled launcher where it is built (about 1 ms cheaper per stage), else Node's spawn.
  const child: LaunchedProcess =
    launchShellNatively(options.command, { cwd: options.cwd, env: options.env }) ??
    (await spawnWithNode(options));
  if (encoding !== null) {
    child.stdout?.setEncoding(encoding);
    child.stderr?.setEncoding(encoding);
  }
  child.stdout?.on("data", options.onStdout);
  child.stderr?.on("data", options.onStderr);
  return supervise(child, options);
}

function missingDirectory(cwd: string): ProcessOutcome | null {
  if (fs.existsSync(cwd)) return null;
  return {
    exitCode: null,
    signal: null,
    reason: "spawn-error",
    error: `working directory ${cwd} does not exist`,
  };
}

/**
 * Waits for a started command to end: its exit and the end of its output, or a timeout or an
 * abort, which stop its whole process group. Its output is cut off once it has exited and only
 * background children still hold the pipes.
 */
function supervise(
  child: LaunchedProcess | PumpedProcess,
  options: ShellCommandOptions,
): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const graceMs = options.killGraceMs ?? 5_000;
    let stopReason: "timeout" | "cancelled" | null = null;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let settled = false;
    let killTimer: NodeJS.Timeout | null = null;
    let drainTimer: NodeJS.Timeout | null = null;
    let timeoutTimer: NodeJS.Timeout | null = null;

    const signalGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const stop = (reason: "timeout" | "cancelled") => {
      if (stopReason !== null || settled) return;
      stopReason = reason;
      signalGroup("SIGTERM");
      killTimer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
    };
    const onAbort = () => stop("cancelled");
    const finish = (outcome: ProcessOutcome) => {
      if (settled) return;
      settled = true;
      for (const timer of [killTimer, drainTimer, timeoutTimer]) if (timer !== null) clearTimeout(timer);
      options.abortSignal?.removeEventListener("abort", onAbort);
      if (stopReason !== null) signalGroup("SIGKILL");
      child.stdout?.destroy();
      child.stderr?.destroy();
      if ("stopOutput" in child) child.stopOutput();
      resolve(outcome);
    };
    const finishFromExit = () => {
      if (exited === null) return;
      const { code, signal } = exited;
      if (stopReason !== null) {
        finish({
          exitCode: code,
          signal,
          reason: stopReason === "timeout" ? "timeout" : "cancelled",
          error: null,
        });
      } else if (signal !== null) {
        finish({ exitCode: null, signal, reason: "signal", error: null });
      } else {
        finish({ exitCode: code, signal: null, reason: "exit", error: null });
      }
    };

    child.on("error", (error: Error) => {
      finish({ exitCode: null, signal: null, reason: "spawn-error", error: error.message });
    });
    child.on("exit", (code: number | null, signal: NodeJS.Signals | null) => {
      exited = { code, signal };
      drainTimer = setTimeout(finishFromExit, DRAIN_AFTER_EXIT_MS);
    });
    child.on("close", () => {
      if (exited === null) return;
      finishFromExit();
    });

    if (options.timeoutMs !== undefined) timeoutTimer = setTimeout(() => stop("timeout"), options.timeoutMs);
    if (options.abortSignal?.aborted) stop("cancelled");
    else options.abortSignal?.addEventListener("abort", onAbort, { once: true });
  });
}

// Loaded only where the launcher is not: it brings in child_process and net, which cost every run.
async function spawnWithNode(options: ShellCommandOptions): Promise<LaunchedProcess> {
  const { default: crossSpawn } = await import("cross-spawn");
  return crossSpawn(options.command, [], {
    cwd: options.cwd,
    env: options.env,
    shell: true,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

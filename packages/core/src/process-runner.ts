import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { ExitReason } from "@codex/orchestrator-schema";

/** How a child process ended. */
export interface ProcessOutcome {
  exitCode: number | null;
  signal: string | null;
  /** Why it ended: its own exit, a signal, our timeout, failure to start, or cancellation. */
  reason: ExitReason | "cancelled";
  /** A message for spawn errors. */
  error: string | null;
}

/** Options for {@link runShellCommand}. */
export interface RunShellCommandOptions {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Receives stdout as it was read: a chunk may end inside a UTF-8 character. */
  onStdout: (chunk: Buffer) => void;
  /** Receives stderr as it was read. */
  onStderr: (chunk: Buffer) => void;
  /** Stop the command after this long (its whole process group). */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL when stopping a command (default 5000 ms). */
  killGraceMs?: number;
  /** Stops the command (gently, then by force) when aborted. */
  abortSignal?: AbortSignal;
}

// After the shell exits, background children may keep its pipes open; stop waiting for them then.
const DRAIN_AFTER_EXIT_MS = 200;

/**
 * Runs a command through `/bin/sh -c` in a process group of its own, stdin from /dev/null,
 * streaming its output's bytes chunk by chunk. Stopping it (timeout, abort) signals the whole
 * group, background grandchildren included: SIGTERM first, SIGKILL after the grace period.
 */
export function runShellCommand(options: RunShellCommandOptions): Promise<ProcessOutcome> {
  if (!fs.existsSync(options.cwd)) {
    return Promise.resolve({
      exitCode: null,
      signal: null,
      reason: "spawn-error",
      error: `working directory ${options.cwd} does not exist`,
    });
  }
  // `/bin/sh -c <command>`, leading a process group of its own, which a stop signals as a whole.
  const child = spawn(options.command, {
    cwd: options.cwd,
    env: options.env,
    shell: true,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", options.onStdout);
  child.stderr.on("data", options.onStderr);
  return supervise(child, options);
}

/**
 * Waits for a started command to end: its exit and the end of its output, or a timeout or an
 * abort, which stop its whole process group. Its output is cut off once it has exited and only
 * background children still hold the pipes.
 */
function supervise(child: ChildProcess, options: RunShellCommandOptions): Promise<ProcessOutcome> {
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
      resolve(outcome);
    };
    const finishFromExit = () => {
      if (exited === null) return;
      const { code, signal } = exited;
      if (stopReason !== null) {
        finish({ exitCode: code, signal, reason: stopReason, error: null });
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

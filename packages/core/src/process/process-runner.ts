import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { readProcessStat } from "@codex/orchestrator-persistence";
import type { ExitReason } from "@codex/orchestrator-schema";
import { processGroupRunning } from "./leftover-processes.js";

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
  /** Told the shell's pid (its process group's id) as soon as it was spawned. */
  onSpawn?: (pid: number) => void;
}

// After the shell exits, background children may keep its pipes open; stop waiting for them then.
const DRAIN_AFTER_EXIT_MS = 200;
// How often a stopped command's process group is checked for being gone.
const GROUP_POLL_MS = 50;

/**
 * Runs a command through `/bin/sh -c` in a process group of its own, stdin from /dev/null,
 * streaming its output's bytes chunk by chunk.
 *
 * Stopping it (timeout, abort) sends SIGTERM to the whole group, background grandchildren
 * included, and SIGKILL to the group once the grace period since the TERM has passed. A stopped
 * command has ended only when its group is gone or was sent SIGKILL, so a grandchild that cleans
 * up on TERM gets the whole grace even after the shell itself has exited. A command that exits by
 * itself has ended once its output is closed, or shortly after its exit when background children
 * still hold the pipes; they are left running.
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
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  child.stdout.on("data", options.onStdout);
  child.stderr.on("data", options.onStderr);
  return supervise(child, options);
}

/** Waits for a started command to end, stopping its process group on a timeout or an abort. */
function supervise(child: ChildProcess, options: RunShellCommandOptions): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const graceMs = options.killGraceMs ?? 5_000;
    let stopReason: "timeout" | "cancelled" | null = null;
    // A shell that had already exited when it was stopped ended by itself: its own exit counts
    // (what it left running is still stopped).
    let exitedBeforeStop = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    // Whether the process group may be left behind: it is gone, or was sent SIGKILL.
    let groupReleased = true;
    let outputClosed = false;
    let drainElapsed = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | null = null;
    let drainTimer: NodeJS.Timeout | null = null;
    let timeoutTimer: NodeJS.Timeout | null = null;
    let groupPoll: NodeJS.Timeout | null = null;

    const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
      if (child.pid === undefined) return false;
      try {
        process.kill(-child.pid, signal);
        return true;
      } catch (error) {
        // EPERM: a member we may not signal is still there.
        return (error as NodeJS.ErrnoException).code === "EPERM";
      }
    };
    const releaseGroup = () => {
      groupReleased = true;
      if (killTimer !== null) clearTimeout(killTimer);
      if (groupPoll !== null) clearInterval(groupPoll);
      settleIfEnded();
    };
    const stop = (reason: "timeout" | "cancelled") => {
      if (stopReason !== null || settled) return;
      stopReason = reason;
      exitedBeforeStop = exited !== null || shellEnded(child.pid);
      groupReleased = false;
      // The output is waited for afresh once the group has been dealt with.
      if (drainTimer !== null) clearTimeout(drainTimer);
      drainTimer = null;
      if (!signalGroup("SIGTERM")) return releaseGroup();
      killTimer = setTimeout(() => {
        signalGroup("SIGKILL");
        releaseGroup();
      }, graceMs);
      groupPoll = setInterval(() => {
        if (child.pid === undefined || !processGroupRunning(child.pid)) releaseGroup();
      }, GROUP_POLL_MS);
    };
    const onAbort = () => stop("cancelled");

    const finish = (outcome: ProcessOutcome) => {
      if (settled) return;
      settled = true;
      for (const timer of [killTimer, drainTimer, timeoutTimer]) if (timer !== null) clearTimeout(timer);
      if (groupPoll !== null) clearInterval(groupPoll);
      options.abortSignal?.removeEventListener("abort", onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(outcome);
    };
    const outcomeOfExit = (): ProcessOutcome => {
      const { code, signal } = exited!;
      if (stopReason !== null && !exitedBeforeStop)
        return { exitCode: code, signal, reason: stopReason, error: null };
      if (signal !== null) return { exitCode: null, signal, reason: "signal", error: null };
      return { exitCode: code, signal: null, reason: "exit", error: null };
    };
    // Ended: the shell has exited and its group may be left. Then the output is read to its end,
    // waiting at most 200 ms more while something (a background child) still holds the pipes.
    const settleIfEnded = () => {
      if (settled || exited === null || !groupReleased) return;
      if (outputClosed || drainElapsed) return finish(outcomeOfExit());
      drainTimer ??= setTimeout(() => {
        drainElapsed = true;
        settleIfEnded();
      }, DRAIN_AFTER_EXIT_MS);
    };

    child.on("error", (error: Error) => {
      finish({ exitCode: null, signal: null, reason: "spawn-error", error: error.message });
    });
    child.on("exit", (code: number | null, signal: NodeJS.Signals | null) => {
      exited = { code, signal };
      settleIfEnded();
    });
    child.on("close", () => {
      outputClosed = true;
      settleIfEnded();
    });

    if (options.timeoutMs !== undefined) timeoutTimer = setTimeout(() => stop("timeout"), options.timeoutMs);
    if (options.abortSignal?.aborted) stop("cancelled");
    else options.abortSignal?.addEventListener("abort", onAbort, { once: true });
  });
}

const PROC_AVAILABLE = fs.existsSync("/proc/self/stat");

// Whether the shell has already ended by itself although Node has not reported its exit yet: a
// zombie, or reaped with the exit event still queued. Without /proc nothing can be told.
function shellEnded(pid: number | undefined): boolean {
  if (pid === undefined || !PROC_AVAILABLE) return false;
  const stat = readProcessStat(pid);
  return stat === null || stat.state === "Z" || stat.state === "X";
}

import type { ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { onTestFinished } from "vitest";
import { spawnCli } from "../helpers/cli.js";

/** A `codex-orchestrator worker` process of a test. */
export interface WorkerProcess {
  child: ChildProcess;
  /** The id it announced (its first line). */
  id: string;
  /** Everything it printed on stderr so far. */
  log(): string;
  /** Resolves with the first stderr line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves once it exited, with its exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a worker in `root` on the Redis at `redisUrl`; it is killed when the test ends. */
export async function startWorker(
  root: string,
  redisUrl: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<WorkerProcess> {
  const child = spawnCli(root, ["worker", ...args], {
    env: { CODEX_ORCHESTRATOR_REDIS_URL: redisUrl, CODEX_ORCHESTRATOR_KILL_GRACE_MS: "1000", ...env },
  });
  let text = "";
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const scan = () => {
    for (const waiter of [...waiters]) {
      const line = text.split("\n").find((candidate) => waiter.pattern.test(candidate));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stderr?.on("data", (data: Buffer) => {
    text += data.toString();
    scan();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const waitFor = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker never printed ${pattern}; it printed:\n${text}`)),
        timeoutMs,
      );
      waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      scan();
      void exited.then(() => {
        scan();
      });
    });
  const first = await Promise.race([
    waitFor(/taking stages from queue/),
    exited.then(({ code }) => {
      throw new Error(`worker exited (${code}) before it was ready:\n${text}`);
    }),
  ]);
  const id = /worker (\S+):/.exec(first)?.[1] ?? "";
  return { child, id, log: () => text, waitFor, exited };
}

/** The only run folder of a task (its absolute path). */
export function onlyRunFolder(root: string, taskId: string): string {
  const base = path.join(root, ".runs", taskId, "cli");
  const runs = readdirSync(base);
  if (runs.length !== 1) throw new Error(`expected one run of ${taskId}, found ${runs.join(", ")}`);
  return path.join(base, runs[0]!);
}

/**
 * A stage log as what two runs of one plan must share: its events without times, markers, pids and
 * workers, and each attempt's stdout and stderr joined (how output is cut into lines of the log
 * depends on timing, locally too).
 */
export function comparableLog(file: string): { events: unknown[]; output: Record<string, string> } {
  const events: unknown[] = [];
  const output: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line === "") continue;
    const event = JSON.parse(line) as Record<string, unknown>;
    if (event.type === "command:stdout" || event.type === "command:stderr") {
      const key = `${String(event.attempt)} ${String(event.type)}`;
      output[key] = (output[key] ?? "") + String(event.data);
      continue;
    }
    // The hash chain differs with every field left out here, so it is left out too (verify checks it).
    const { timestamp: _t, marker: _m, pid: _p, worker: _w, host: _h, seq: _s, prev: _c, ...rest } = event;
    events.push(rest);
  }
  return { events, output };
}

/** Resolves after `milliseconds`. */
export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** A coordinator (`start`/`resume`) running in the background. */
export interface CoordinatorProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `start`/`resume` in the background; it is killed when the test ends. */
export function startCoordinator(
  root: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): CoordinatorProcess {
  const child = spawnCli(root, args, { env });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (data: Buffer) => (stdout += data.toString()));
  child.stderr?.on("data", (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Waits until `check` holds (polling), or fails with `what`. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Whether a process is alive (signal 0 reaches it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

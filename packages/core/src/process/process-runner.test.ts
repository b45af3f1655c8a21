import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { runShellCommand, type RunShellCommandOptions } from "./process-runner.js";

const strays: number[] = [];
afterEach(() => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

function run(command: string, options: Partial<RunShellCommandOptions> = {}) {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const outcome = runShellCommand({
    command,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    onStdout: (chunk) => stdout.push(chunk),
    onStderr: (chunk) => stderr.push(chunk),
    killGraceMs: 300,
    ...options,
  });
  return {
    outcome,
    stdout: () => Buffer.concat(stdout).toString("utf8"),
    stderr: () => Buffer.concat(stderr).toString("utf8"),
    stdoutBytes: () => Buffer.concat(stdout),
  };
}

// A zombie (dead, not yet reaped by a container's init) counts as gone.
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).charAt(0) !== "Z";
  } catch {
    return true;
  }
}

async function waitUntilGone(pid: number, withinMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

async function waitForFile(file: string, withinMs = 10_000): Promise<string> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (text.endsWith("\n")) return text;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${file} was not written`);
}

describe("runShellCommand", () => {
  it("reports exit 0 and a non-zero exit code", async () => {
    expect(await run("true").outcome).toEqual({ exitCode: 0, signal: null, reason: "exit", error: null });
    expect(await run("exit 3").outcome).toEqual({ exitCode: 3, signal: null, reason: "exit", error: null });
  });

  it("runs through the shell in cwd with the given environment, stdout and stderr apart", async () => {
    const dir = tempDir();
    const { outcome, stdout, stderr } = run('echo "$GREETING from $(pwd)"; echo oops >&2', {
      cwd: dir,
      env: { ...process.env, GREETING: "hello" },
    });
    expect((await outcome).exitCode).toBe(0);
    expect(stdout()).toBe(`hello from ${dir}\n`);
    expect(stderr()).toBe("oops\n");
  });

  it("keeps reading one stream after the other has closed", async () => {
    const { outcome, stdout, stderr } = run(
      "echo first; exec 1>&-; sleep 0.2; echo late >&2; echo later >&2",
    );
    expect((await outcome).exitCode).toBe(0);
    expect(stdout()).toBe("first\n");
    expect(stderr()).toBe("late\nlater\n");
  });

  it("delivers a large output whole and in order, stdout and stderr alike", async () => {
    const { outcome, stdout, stderr } = run("seq 1 200000; seq 1 50000 >&2");
    expect((await outcome).exitCode).toBe(0);
    const expected = (count: number) =>
      Array.from({ length: count }, (_, index) => `${index + 1}\n`).join("");
    expect(stdout()).toBe(expected(200_000));
    expect(stderr()).toBe(expected(50_000));
  });

  it("reports a command killed by a signal as reason signal, never exit 0", async () => {
    const outcome = await run("kill -TERM $$").outcome;
    expect(outcome).toEqual({ exitCode: null, signal: "SIGTERM", reason: "signal", error: null });
  });

  it("reports a missing working directory as a spawn error", async () => {
    const missing = path.join(tempDir(), "does-not-exist");
    const outcome = await run("true", { cwd: missing }).outcome;
    expect(outcome.reason).toBe("spawn-error");
    expect(outcome.exitCode).toBeNull();
    expect(outcome.error).toContain(missing);
  });

  it("streams output chunk by chunk while the command is still running", async () => {
    const dir = tempDir();
    const chunks: string[] = [];
    const outcome = runShellCommand({
      command: "echo first; while [ ! -f go ]; do sleep 0.05; done; echo second",
      cwd: dir,
      env: process.env,
      onStdout: (chunk) => {
        chunks.push(chunk.toString("utf8"));
        // The command waits for this file, so it only finishes if the first chunk arrived early.
        if (chunk.includes("first")) fs.writeFileSync(path.join(dir, "go"), "");
      },
      onStderr: () => {},
      timeoutMs: 20_000,
    });
    expect((await outcome).reason).toBe("exit");
    expect(chunks[0]).toBe("first\n");
    expect(chunks.join("")).toBe("first\nsecond\n");
  });

  it("hands over the bytes as written: characters split between writes, invalid UTF-8", async () => {
    // 雪 is e9 9b aa. Octal escapes, for any printf.
    const { outcome, stdoutBytes } = run("printf 'snow \\351\\233'; sleep 0.05; printf '\\252 bad \\377'");
    expect((await outcome).reason).toBe("exit");
    expect(stdoutBytes()).toEqual(
      Buffer.from([...Buffer.from("snow "), 0xe9, 0x9b, 0xaa, ...Buffer.from(" bad "), 0xff]),
    );
  });

  it("kills the whole process group on timeout, background grandchildren included", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "grandchild.pid");
    const { outcome } = run(`sleep 100 & echo $! > "${pidFile}"; wait`, { cwd: dir, timeoutMs: 500 });
    const grandchild = Number((await waitForFile(pidFile)).trim());
    strays.push(grandchild);
    const result = await outcome;
    expect(result.reason).toBe("timeout");
    expect(await waitUntilGone(grandchild)).toBe(true);
  });

  it("escalates to SIGKILL for a grandchild that ignores SIGTERM", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "stubborn.pid");
    const { outcome } = run(
      `sh -c 'trap "" TERM; echo $$ > "${pidFile}"; while :; do sleep 1; done' & wait`,
      {
        cwd: dir,
        timeoutMs: 500,
      },
    );
    const stubborn = Number((await waitForFile(pidFile)).trim());
    strays.push(stubborn);
    expect((await outcome).reason).toBe("timeout");
    expect(await waitUntilGone(stubborn)).toBe(true);
  });

  it("reports an aborted command as cancelled and stops it", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "child.pid");
    const controller = new AbortController();
    const { outcome } = run(`sleep 100 & echo $! > "${pidFile}"; wait`, {
      cwd: dir,
      abortSignal: controller.signal,
    });
    const grandchild = Number((await waitForFile(pidFile)).trim());
    strays.push(grandchild);
    controller.abort("SIGINT");
    const result = await outcome;
    expect(result.reason).toBe("cancelled");
    expect(result.exitCode === 0).toBe(false);
    expect(await waitUntilGone(grandchild)).toBe(true);
  });

  it("cancels at once when the signal is already aborted", async () => {
    const dir = tempDir();
    const controller = new AbortController();
    controller.abort();
    const result = await run("sleep 100", { cwd: dir, abortSignal: controller.signal }).outcome;
    expect(result.reason).toBe("cancelled");
  });

  it("counts the exit of a shell that had ended by itself before it was stopped", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "bg.pid");
    const controller = new AbortController();
    let shell = 0;
    // The background child keeps the pipes open, so the run waits for its output after the shell
    // exits: a stop in that window (a sibling failed) must not turn exit 0 into "cancelled".
    const { outcome } = run(`sleep 100 & echo $! > "${pidFile}"; echo done`, {
      cwd: dir,
      abortSignal: controller.signal,
      onSpawn: (pid) => (shell = pid),
    });
    const background = Number((await waitForFile(pidFile)).trim());
    strays.push(background);
    expect(await waitUntilGone(shell)).toBe(true);
    controller.abort();
    expect(await outcome).toEqual({ exitCode: 0, signal: null, reason: "exit", error: null });
    expect(await waitUntilGone(background)).toBe(true);
  });

  it("does not wait for a background child that keeps the output pipes open, nor kill it", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "bg.pid");
    const { outcome, stdout } = run(`sleep 100 & echo $! > "${pidFile}"; echo done`, { cwd: dir });
    const result = await outcome;
    const background = Number((await waitForFile(pidFile)).trim());
    strays.push(background);
    expect(result).toEqual({ exitCode: 0, signal: null, reason: "exit", error: null });
    expect(stdout()).toBe("done\n");
    await sleep(300);
    expect(isAlive(background)).toBe(true);
  });
});

// A stage's shell that exits on TERM, leaving a grandchild of the same group that handles TERM
// its own way (`trap`); the grandchild writes its pid to $PIDFILE once its trap is set.
function shellLeaving(grandchild: string): string {
  return `sh -c '${grandchild}; echo $$ > "$PIDFILE"; while :; do sleep 0.1; done' & wait`;
}

describe("the grace between SIGTERM and SIGKILL", () => {
  async function stopped(grandchild: string, killGraceMs: number) {
    const dir = tempDir();
    const pidFile = path.join(dir, "grandchild.pid");
    const marker = path.join(dir, "cleaned");
    const controller = new AbortController();
    const { outcome } = run(shellLeaving(grandchild), {
      cwd: dir,
      env: { ...process.env, PIDFILE: pidFile, MARK: marker },
      killGraceMs,
      abortSignal: controller.signal,
    });
    const pid = Number((await waitForFile(pidFile)).trim());
    strays.push(pid);
    const stoppedAt = Date.now();
    controller.abort();
    return { pid, marker, stoppedAt, outcome };
  }

  it("lets a grandchild that cleans up on SIGTERM finish, though the shell exited at once", async () => {
    const killGraceMs = 5_000;
    const { pid, marker, stoppedAt, outcome } = await stopped(
      'trap "sleep 1; echo cleaned > $MARK; exit 0" TERM',
      killGraceMs,
    );
    const result = await outcome;
    expect(result.reason).toBe("cancelled");
    expect(fs.readFileSync(marker, "utf8")).toBe("cleaned\n");
    expect(isAlive(pid)).toBe(false);
    // Settled because the group was gone, not by the SIGKILL at the end of the grace.
    expect(Date.now() - stoppedAt).toBeLessThan(killGraceMs);
  });

  it("kills a grandchild that ignores SIGTERM once the grace has passed, and not before", async () => {
    const killGraceMs = 1_500;
    const { pid, stoppedAt, outcome } = await stopped('trap "" TERM', killGraceMs);
    await sleep(killGraceMs - 500);
    expect(isAlive(pid)).toBe(true);
    const result = await outcome;
    expect(result.reason).toBe("cancelled");
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(killGraceMs - 5);
    expect(await waitUntilGone(pid, 1_000)).toBe(true);
  });
});

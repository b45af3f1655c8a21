import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../../test/helpers/seeded-random.js";
import { tempDir } from "../../../test/helpers/temp-dir.js";
import { SPAWN_MODE_ENV, nativeLauncherAvailable, type PumpedOutputOptions } from "./native-spawn.js";
import {
  runShellCommand,
  runShellCommandPumped,
  type ProcessOutcome,
  type RunShellCommandOptions,
} from "./process-runner.js";
import { REDACTED, Redactor } from "./redaction.js";

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

// Every behaviour holds for every way of running a command: the compiled launcher (built on Linux
// with a C compiler, as in CI) reading into streams or pumping output to files, and Node's spawn,
// the fallback.
type Mode = "launcher" | "node" | "pump";
const modes: Mode[] = nativeLauncherAvailable() ? ["launcher", "node", "pump"] : ["node"];
let mode: Mode = "node";

/** Output lines as the event writer lays them out (without attempt). */
function pumpTo(files: number[], options: Partial<PumpedOutputOptions> = {}): PumpedOutputOptions {
  return {
    files,
    secrets: [],
    redacted: Buffer.from(REDACTED),
    stdoutHead: Buffer.from('{"type":"command:stdout","data":"'),
    stderrHead: Buffer.from('{"type":"command:stderr","data":"'),
    middle: Buffer.from('","timestamp":"'),
    end: Buffer.from('","index":0}\n'),
    batchBytes: 128 * 1024,
    maxDelayMs: 50,
    stdoutTailBytes: 64,
    stderrTailBytes: 64,
    combinedTailBytes: 64,
    onWriteError: () => {},
    ...options,
  };
}

function readLines(file: string): Array<{ type: string; data: string; timestamp: string; index: number }> {
  const text = fs.readFileSync(file, "utf8");
  return text === ""
    ? []
    : text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line));
}

function run(command: string, options: Partial<RunShellCommandOptions> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  if (mode === "pump") {
    const log = path.join(tempDir(), "output.ndjson");
    const descriptor = fs.openSync(log, "a");
    const pumped = runShellCommandPumped({
      command,
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? process.env,
      killGraceMs: 300,
      ...options,
      output: () => pumpTo([descriptor]),
    });
    const outcome: Promise<ProcessOutcome> = pumped!.then(({ tails: _tails, ...ended }) => {
      fs.closeSync(descriptor);
      for (const line of readLines(log)) (line.type === "command:stdout" ? stdout : stderr).push(line.data);
      return ended;
    });
    return { outcome, stdout, stderr };
  }
  const outcome = runShellCommand({
    command,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    onStdout: (chunk) => stdout.push(chunk),
    onStderr: (chunk) => stderr.push(chunk),
    killGraceMs: 300,
    ...options,
  });
  return { outcome, stdout, stderr };
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

describe.each(modes)("runShellCommand (%s)", (current) => {
  const previous = process.env[SPAWN_MODE_ENV];
  beforeAll(() => {
    mode = current;
    if (mode === "node") process.env[SPAWN_MODE_ENV] = "node";
  });
  afterAll(() => {
    if (previous === undefined) delete process.env[SPAWN_MODE_ENV];
    else process.env[SPAWN_MODE_ENV] = previous;
  });

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
    expect(stdout.join("")).toBe(`hello from ${dir}\n`);
    expect(stderr.join("")).toBe("oops\n");
  });

  it("keeps reading one stream after the other has closed", async () => {
    const { outcome, stdout, stderr } = run(
      "echo first; exec 1>&-; sleep 0.2; echo late >&2; echo later >&2",
    );
    expect((await outcome).exitCode).toBe(0);
    expect(stdout.join("")).toBe("first\n");
    expect(stderr.join("")).toBe("late\nlater\n");
  });

  it("delivers a large output whole and in order, stdout and stderr alike", async () => {
    const { outcome, stdout, stderr } = run("seq 1 200000; seq 1 50000 >&2");
    expect((await outcome).exitCode).toBe(0);
    const expected = (count: number) =>
      Array.from({ length: count }, (_, index) => `${index + 1}\n`).join("");
    expect(stdout.join("")).toBe(expected(200_000));
    expect(stderr.join("")).toBe(expected(50_000));
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

  it.skipIf(current === "pump")(
    "streams output chunk by chunk while the command is still running",
    async () => {
      const dir = tempDir();
      const chunks: string[] = [];
      const outcome = runShellCommand({
        command: "echo first; while [ ! -f go ]; do sleep 0.05; done; echo second",
        cwd: dir,
        env: process.env,
        onStdout: (chunk) => {
          chunks.push(chunk);
          // The command waits for this file, so it only finishes if the first chunk arrived early.
          if (chunk.includes("first")) fs.writeFileSync(path.join(dir, "go"), "");
        },
        onStderr: () => {},
        timeoutMs: 20_000,
      });
      expect((await outcome).reason).toBe("exit");
      expect(chunks[0]).toBe("first\n");
      expect(chunks.join("")).toBe("first\nsecond\n");
    },
  );

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

  it("does not wait for a background child that keeps the output pipes open", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "bg.pid");
    const { outcome, stdout } = run(`sleep 100 & echo $! > "${pidFile}"; echo done`, { cwd: dir });
    const result = await outcome;
    strays.push(Number((await waitForFile(pidFile)).trim()));
    expect(result).toEqual({ exitCode: 0, signal: null, reason: "exit", error: null });
    expect(stdout.join("")).toBe("done\n");
  });
});

describe.runIf(nativeLauncherAvailable())("runShellCommandPumped", () => {
  function pumped(command: string, files: number[], options: Partial<PumpedOutputOptions> = {}) {
    return runShellCommandPumped({
      command,
      cwd: tempDir(),
      env: process.env,
      timeoutMs: 20_000,
      output: () => pumpTo(files, options),
    })!;
  }

  it("writes output while the command is still running, within the batch delay", async () => {
    const dir = tempDir();
    const log = path.join(dir, "output.ndjson");
    const descriptor = fs.openSync(log, "a");
    const done = runShellCommandPumped({
      command: `echo first; while [ ! -f "${dir}/go" ]; do sleep 0.05; done; echo second`,
      cwd: dir,
      env: process.env,
      timeoutMs: 20_000,
      output: () => pumpTo([descriptor]),
    })!;
    // The command waits for this file, so it only finishes if the first line was written early.
    await waitForFile(log);
    expect(readLines(log).map((line) => line.data)).toEqual(["first\n"]);
    fs.writeFileSync(path.join(dir, "go"), "");
    expect((await done).reason).toBe("exit");
    fs.closeSync(descriptor);
    expect(readLines(log).map((line) => line.data)).toEqual(["first\n", "second\n"]);
  });

  it("appends each batch to every file, in order, stamped with the time it was read", async () => {
    const dir = tempDir();
    const files = ["stage.ndjson", "runner.ndjson"].map((name) => path.join(dir, name));
    fs.writeFileSync(files[1]!, '{"type":"run:start"}\n');
    const descriptors = files.map((file) => fs.openSync(file, "a"));
    const started = Date.now();
    // Two pipes keep no order between them: the pauses give the one the lines are checked for.
    const result = await pumped(
      "seq 1 100000; sleep 0.2; echo err >&2; sleep 0.2; seq 100001 100010",
      descriptors,
    );
    const ended = Date.now();
    for (const descriptor of descriptors) fs.closeSync(descriptor);
    expect(result.reason).toBe("exit");
    const lines = readLines(files[0]!);
    expect(fs.readFileSync(files[1]!, "utf8")).toBe(
      `{"type":"run:start"}\n${fs.readFileSync(files[0]!, "utf8")}`,
    );
    const stdout = lines.filter((line) => line.type === "command:stdout").map((line) => line.data);
    const numbers = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, index) => `${from + index}\n`).join("");
    expect(stdout.join("")).toBe(numbers(1, 100_010));
    expect(lines.map((line) => line.data).join("")).toBe(
      `${numbers(1, 100_000)}err\n${numbers(100_001, 100_010)}`,
    );
    for (const line of lines) {
      expect(line.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const time = Date.parse(line.timestamp);
      expect(time).toBeGreaterThanOrEqual(started - 1);
      expect(time).toBeLessThanOrEqual(ended + 1);
      expect(line.index).toBe(0);
    }
  });

  it("gives the text Node decodes from the whole output: characters split between writes, invalid bytes", async () => {
    const dir = tempDir();
    const log = path.join(dir, "output.ndjson");
    const descriptor = fs.openSync(log, "a");
    // 雪 is e9 9b aa; ✓ is e2 9c 93. Octal escapes, for any printf.
    const writes = ["snow: \\351\\233", "\\252 bad \\377\\300\\257 q\\042 b\\134 \\001", "cut \\342\\234"];
    const command = writes.map((write) => `printf '${write}'`).join("; sleep 0.05; ");
    const result = await pumped(command, [descriptor]);
    fs.closeSync(descriptor);
    expect(result.reason).toBe("exit");
    const printed = Buffer.from(
      writes
        .join("")
        .replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
      "latin1",
    );
    const lines = readLines(log);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.map((line) => line.data).join("")).toBe(printed.toString("utf8"));
    expect(result.tails.stdout.toString("utf8")).toBe(printed.toString("utf8"));
  });

  it("keeps the last bytes of each stream and of both as whole characters", async () => {
    const descriptor = fs.openSync(path.join(tempDir(), "output.ndjson"), "a");
    const result = await pumped(
      "seq 1 1000; echo error >&2; for i in $(seq 1 30); do printf '雪'; done >&2",
      [descriptor],
      { stdoutTailBytes: 10, stderrTailBytes: 64, combinedTailBytes: 16 },
    );
    fs.closeSync(descriptor);
    expect(result.tails.stdout.toString("utf8")).toBe("\n999\n1000\n");
    // 64 bytes hold the last 21 characters of 3 bytes and one byte of the one before, dropped.
    expect(result.tails.stderr.toString("utf8")).toBe("雪".repeat(21));
    expect(result.tails.combined.toString("utf8")).toBe("雪".repeat(5));
  });

  // /dev/full opens like any file and fails every write with ENOSPC: a full disk.
  it.skipIf(!fs.existsSync("/dev/full"))("reports a failed write once, and writes nothing more", async () => {
    const full = fs.openSync("/dev/full", "a");
    const log = path.join(tempDir(), "output.ndjson");
    const other = fs.openSync(log, "a");
    const failures: Array<[number, number]> = [];
    const result = await pumped("seq 1 100000; sleep 0.1; echo more", [other, full], {
      onWriteError: (fileIndex, errno) => failures.push([fileIndex, errno]),
    });
    fs.closeSync(full);
    fs.closeSync(other);
    expect(result.reason).toBe("exit");
    expect(failures).toEqual([[1, 28]]);
    // The first batch reached the file before the full one; nothing after the failure did.
    const written = fs.readFileSync(log, "utf8");
    expect(written.length).toBeGreaterThan(0);
    expect(written).not.toContain("more");
  });

  // The pump's secrets, as the engine passes them: each variant's bytes, longest first.
  const secretsOf = (redactor: Redactor) =>
    redactor.variants
      .map((variant) => Buffer.from(variant))
      .sort((left, right) => right.length - left.length);

  async function pumpedText(command: string, redactor: Redactor) {
    const log = path.join(tempDir(), "output.ndjson");
    const descriptor = fs.openSync(log, "a");
    const result = await pumped(command, [descriptor], { secrets: secretsOf(redactor) });
    fs.closeSync(descriptor);
    expect(result.reason).toBe("exit");
    return {
      text: readLines(log)
        .map((line) => line.data)
        .join(""),
      tails: result.tails,
    };
  }

  it("redacts secrets as the engine's redactor does, also when split between writes", async () => {
    const redactor = new Redactor(["hunter22", "hunter22-long", 'quo"te']);
    const { text, tails } = await pumpedText(
      [
        "printf 'password hun'",
        "sleep 0.05",
        "printf 'ter22 and hunter22-long, '",
        "sleep 0.05",
        `printf '%s' 'quo"te and quo\\"te, hunter2'`,
        "sleep 0.05",
        "printf '2'",
      ].join("; "),
      redactor,
    );
    const printed = 'password hunter22 and hunter22-long, quo"te and quo\\"te, hunter22';
    expect(text).toBe(redactor.redact(printed));
    expect(text).toBe("password [REDACTED] and [REDACTED], [REDACTED] and [REDACTED], [REDACTED]");
    expect(tails.combined.toString("utf8")).toBe(text.slice(-64));
  });

  it("agrees with the engine's redactor on random output", async () => {
    const random = seededRandom(11);
    const secrets = ["abcd", "abcdef", "cdxy", "雪雪雪雪", 'x\\y"z'];
    const redactor = new Redactor(secrets);
    const pieces = ["a", "b", "c", "d", "e", "f", "x", "y", "\\", '"', "雪", "\n", "ab", "abc", "cd"];
    const dir = tempDir();
    for (let trial = 0; trial < 40; trial += 1) {
      let printed = "";
      while (printed.length < 200) {
        printed +=
          random() < 0.2
            ? secrets[Math.floor(random() * secrets.length)]!
            : pieces[Math.floor(random() * pieces.length)]!;
      }
      const file = path.join(dir, `${trial}.txt`);
      fs.writeFileSync(file, printed);
      const { text } = await pumpedText(`cat "${file}"`, redactor);
      expect(text, printed).toBe(redactor.redact(printed));
    }
  });

  it("asks where the output goes once the command has started, and its lines come first", async () => {
    const dir = tempDir();
    const log = path.join(dir, "output.ndjson");
    const descriptor = fs.openSync(log, "a");
    let asked = 0;
    const result = await runShellCommandPumped({
      command: "echo out",
      cwd: dir,
      env: process.env,
      output: () => {
        asked += 1;
        fs.writeSync(descriptor, '{"type":"command:start","data":""}\n');
        return pumpTo([descriptor]);
      },
    })!;
    fs.closeSync(descriptor);
    expect(result.reason).toBe("exit");
    expect(asked).toBe(1);
    expect(readLines(log).map((line) => line.type)).toEqual(["command:start", "command:stdout"]);
  });

  it("kills the command's whole group and rejects when the output has nowhere to go", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "bg.pid");
    const failure = new Error("no room for the log");
    let grandchild = 0;
    await expect(
      runShellCommandPumped({
        command: `sleep 100 & echo $! > "${pidFile}.tmp" && mv "${pidFile}.tmp" "${pidFile}"; wait`,
        cwd: dir,
        env: process.env,
        output: () => {
          // Asked once the command has started: let it start its background child first.
          const deadline = Date.now() + 10_000;
          while (!fs.existsSync(pidFile) && Date.now() < deadline)
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          grandchild = Number(fs.readFileSync(pidFile, "utf8").trim());
          strays.push(grandchild);
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
    expect(grandchild).toBeGreaterThan(0);
    expect(await waitUntilGone(grandchild)).toBe(true);
  });

  it("does not ask where the output goes when the command cannot start", async () => {
    let asked = false;
    const result = await runShellCommandPumped({
      command: "true",
      cwd: path.join(tempDir(), "missing"),
      env: process.env,
      output: () => {
        asked = true;
        return pumpTo([]);
      },
    })!;
    expect(result.reason).toBe("spawn-error");
    expect(asked).toBe(false);
  });
});

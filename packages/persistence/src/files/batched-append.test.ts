import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { runNode, usePackageBundle, writeScript } from "../../test/child-processes.js";
import { BATCH_BYTES, BATCH_MAX_DELAY_MS, BatchedAppender } from "./batched-append.js";
import { PersistenceError } from "../errors.js";
import { AppendFile } from "./append-file.js";

const bundle = usePackageBundle();

function setUp(options: { batchBytes?: number; maxDelayMs?: number } = {}) {
  const directory = tempDir();
  const stageFile = path.join(directory, "01-build.ndjson");
  const runnerFile = path.join(directory, "runner.ndjson");
  const stage = new AppendFile(stageFile);
  const runner = new AppendFile(runnerFile);
  const failures: Array<{ error: PersistenceError; owner: number }> = [];
  const batches = new BatchedAppender({
    onError: (error, owner) => failures.push({ error, owner }),
    maxDelayMs: options.maxDelayMs ?? 60_000,
    ...(options.batchBytes === undefined ? {} : { batchBytes: options.batchBytes }),
  });
  const read = (file: string) => fs.readFileSync(file, "utf8");
  return { directory, stage, runner, stageFile, runnerFile, batches, failures, read };
}

describe("BatchedAppender", () => {
  it("defaults to 128 KiB batches written within 50 ms", () => {
    expect(BATCH_BYTES).toBe(128 * 1024);
    expect(BATCH_MAX_DELAY_MS).toBe(50);
  });

  it("holds lines until flushed, then writes them in order to every file", () => {
    const { stage, runner, stageFile, runnerFile, batches, failures, read } = setUp();
    batches.append("one\n", [stage, runner], 1);
    batches.append(["t", "wo", "\n"], [stage, runner], 1);
    expect(read(stageFile)).toBe("");
    expect(batches.pendingBytes).toBe(8);
    batches.flush();
    expect(batches.pendingBytes).toBe(0);
    // Lines written directly after a flush come after the batched ones.
    runner.write("direct\n");
    batches.append("three\n", [stage, runner], 1);
    batches.flush();
    expect(read(stageFile)).toBe("one\ntwo\nthree\n");
    expect(read(runnerFile)).toBe("one\ntwo\ndirect\nthree\n");
    expect(failures).toEqual([]);
  });

  it("writes a batch as soon as it holds batchBytes, and a line over 1 MiB on its own", () => {
    const { stage, runner, stageFile, runnerFile, batches, read } = setUp({ batchBytes: 64 });
    const line = (text: string) => `${text}\n`;
    batches.append(line("a".repeat(40)), [stage, runner], 1);
    expect(read(stageFile)).toBe("");
    batches.append(line("b".repeat(40)), [stage, runner], 1);
    expect(read(stageFile)).toBe(line("a".repeat(40)) + line("b".repeat(40)));
    expect(batches.pendingBytes).toBe(0);
    batches.append(line("c"), [stage, runner], 1);
    expect(batches.pendingBytes).toBe(2);
    const huge = "h".repeat(1024 * 1024 + 1);
    batches.append(line(huge), [stage, runner], 1);
    expect(batches.pendingBytes).toBe(0);
    batches.append(line("d"), [stage, runner], 1);
    batches.flush();
    const expected = ["a".repeat(40), "b".repeat(40), "c", huge, "d"].map(line).join("");
    expect(read(stageFile)).toBe(expected);
    expect(read(runnerFile)).toBe(expected);
  });

  it("counts UTF-8 bytes, so long multi-byte lines are never cut at the end of the buffer", () => {
    const { stage, stageFile, batches, read } = setUp();
    const lines = [
      "plain\n",
      `${"€".repeat(400_000)}\n`, // 1.2 MB: more than the buffer holds, written alone
      `${"😀".repeat(200_000)}\n`, // 800 KB in 400,000 UTF-16 units
      `${"é".repeat(350_000)}\n`,
      "ünïcödé ✓\n",
    ];
    for (const text of lines) batches.append(text, [stage], 1);
    batches.flush();
    expect(read(stageFile)).toBe(lines.join(""));
  });

  it("writes what waited longer than maxDelayMs without being asked", async () => {
    const { stage, runner, stageFile, runnerFile, batches, read } = setUp({ maxDelayMs: 20 });
    batches.append("late\n", [stage, runner], 1);
    expect(read(stageFile)).toBe("");
    await sleep(200);
    expect(read(stageFile)).toBe("late\n");
    expect(read(runnerFile)).toBe("late\n");
  });

  it("flushes before taking lines for other files or another owner, so every file keeps the order", () => {
    const { directory, stage, runner, stageFile, runnerFile, batches, read } = setUp();
    const other = new AppendFile(path.join(directory, "02-test.ndjson"));
    batches.append("stage 1\n", [stage, runner], 1);
    batches.append("run level\n", [runner], 1);
    batches.append("stage 2\n", [other, runner], 2);
    batches.flush();
    expect(read(stageFile)).toBe("stage 1\n");
    expect(read(path.join(directory, "02-test.ndjson"))).toBe("stage 2\n");
    expect(read(runnerFile)).toBe("stage 1\nrun level\nstage 2\n");
  });

  it("reports a failed write to onError with its owner, also when the timer wrote it", async () => {
    const { stage, runner, runnerFile, batches, failures, read } = setUp({ maxDelayMs: 20 });
    stage.close();
    batches.append("lost\n", [stage, runner], 7);
    expect(() => batches.flush()).not.toThrow();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.owner).toBe(7);
    expect(failures[0]?.error).toBeInstanceOf(PersistenceError);
    expect(failures[0]?.error.message).toMatch(
      /Could not append to .*01-build\.ndjson: .*file already closed/,
    );
    // The batch is not written to the remaining files either: the logs stay alike.
    expect(read(runnerFile)).toBe("");
    batches.append("also lost\n", [stage, runner], 8);
    await sleep(200);
    expect(failures.map((failure) => failure.owner)).toEqual([7, 8]);
  });

  it("keeps every line whole when 6 processes append batches to one file at once", async () => {
    const directory = tempDir();
    const file = path.join(directory, "runner.ndjson");
    const script = writeScript(
      directory,
      "append.mjs",
      `import { AppendFile, BatchedAppender } from ${JSON.stringify(bundle())};
const [file, writer] = process.argv.slice(2);
const log = new AppendFile(file);
const batches = new BatchedAppender({ batchBytes: 16384, onError: (error) => { throw error; } });
for (let line = 0; line < 2000; line += 1) {
  const size = line % 97 === 0 ? 40000 : 10 + ((line * 37) % 900);
  batches.append([JSON.stringify({ writer: Number(writer), line, pad: "x".repeat(size) }), "\\n"], [log], 1);
}
batches.flush();
log.close();
`,
    );
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, writer) => runNode(script, [file, String(writer)])),
    );
    for (const result of results) {
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
    }
    const lines = fs.readFileSync(file, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(12000);
    const next = new Map<number, number>();
    for (const text of lines) {
      const entry = JSON.parse(text) as { writer: number; line: number };
      // Each writer's lines arrive whole and in its own order.
      expect(entry.line).toBe(next.get(entry.writer) ?? 0);
      next.set(entry.writer, entry.line + 1);
    }
    expect([...next.values()]).toEqual(Array.from({ length: 6 }, () => 2000));
  });
});

import fs from "node:fs";
import path from "node:path";
import { RunEvent } from "@codex/orchestrator-schema";
import { PersistenceError } from "@codex/orchestrator-persistence";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/temp-dir.js";
import { EventStreamWriter } from "./event-stream.js";

const NOW = new Date("2025-10-31T22:56:35.000Z");

function setUp() {
  const runDir = tempDir();
  const commandsDir = path.join(runDir, "commands");
  fs.mkdirSync(commandsDir);
  const runnerLogPath = path.join(runDir, "runner.ndjson");
  const writer = new EventStreamWriter({ runnerLogPath, commandsDir, now: () => NOW });
  return { writer, runnerLogPath, commandsDir };
}

function readEvents(file: string): Array<Record<string, unknown>> {
  const text = fs.readFileSync(file, "utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("EventStreamWriter", () => {
  it("writes stage events to both files and run-level events only to runner.ndjson, each a valid RunEvent", () => {
    const { writer, runnerLogPath, commandsDir } = setUp();
    writer.run({
      type: "run:start",
      run_id: "r",
      task_id: "0101",
      pipeline_id: "diagnostics",
      resumed: false,
    });
    const stageFile = writer.openStage(1, "01-npm-run-build");
    expect(stageFile).toBe(path.join(commandsDir, "01-npm-run-build.ndjson"));
    writer.runForStage(1, { type: "stage:status", stage_id: "build", status: "running" });
    writer.stage(1, { type: "command:start", command: "npm run build" });
    writer.stage(1, { type: "command:stdout", data: "compiled\n" });
    writer.stage(1, { type: "command:stderr", data: "warning\n" });
    writer.stage(1, { type: "command:end", exit_code: 0, signal: null });
    writer.closeStage(1);
    writer.run({ type: "run:end", status: "succeeded", status_detail: null });
    writer.close();

    const runner = readEvents(runnerLogPath);
    expect(runner.map((event) => [event.type, event.index])).toEqual([
      ["run:start", null],
      ["stage:status", 1],
      ["command:start", 1],
      ["command:stdout", 1],
      ["command:stderr", 1],
      ["command:end", 1],
      ["run:end", null],
    ]);
    const stage = readEvents(stageFile);
    expect(stage.map((event) => event.type)).toEqual([
      "command:start",
      "command:stdout",
      "command:stderr",
      "command:end",
    ]);
    // Every line of the stage's own file also appears, identical, in runner.ndjson.
    const runnerLines = fs.readFileSync(runnerLogPath, "utf8").split("\n");
    for (const line of fs.readFileSync(stageFile, "utf8").trimEnd().split("\n"))
      expect(runnerLines).toContain(line);
    for (const event of [...runner, ...stage]) {
      const parsed = RunEvent.safeParse(event);
      expect(parsed.success, JSON.stringify(event)).toBe(true);
      expect(event.timestamp).toBe(NOW.toISOString());
    }
    expect(Object.keys(stage[0] ?? {})).toEqual(["type", "command", "timestamp", "index"]);
  });

  it("keeps stages apart and appends on reopen (resume)", () => {
    const { writer, commandsDir, runnerLogPath } = setUp();
    writer.openStage(1, "01-build");
    writer.openStage(2, "02-test");
    writer.stage(1, { type: "command:stdout", data: "one" });
    writer.stage(2, { type: "command:stdout", data: "two" });
    writer.close();
    const again = new EventStreamWriter({ runnerLogPath, commandsDir, now: () => NOW });
    again.openStage(2, "02-test");
    again.stage(2, { type: "command:stdout", data: "three" });
    again.close();
    expect(readEvents(path.join(commandsDir, "01-build.ndjson")).map((event) => event.data)).toEqual(["one"]);
    expect(readEvents(path.join(commandsDir, "02-test.ndjson")).map((event) => event.data)).toEqual([
      "two",
      "three",
    ]);
    expect(readEvents(runnerLogPath).map((event) => event.data)).toEqual(["one", "two", "three"]);
  });

  it("writes a stage event to runner.ndjson only once its own log is closed or was never opened", () => {
    const { writer, runnerLogPath, commandsDir } = setUp();
    writer.stage(3, { type: "command:stdout", data: "early" });
    writer.openStage(3, "03-x");
    writer.closeStage(3);
    writer.stage(3, { type: "command:stdout", data: "late" });
    writer.close();
    expect(readEvents(runnerLogPath).map((event) => event.data)).toEqual(["early", "late"]);
    expect(fs.readFileSync(path.join(commandsDir, "03-x.ndjson"), "utf8")).toBe("");
  });

  it("throws PersistenceError when a log cannot be opened, and after close", () => {
    const directory = tempDir();
    expect(
      () =>
        new EventStreamWriter({
          runnerLogPath: path.join(directory, "missing", "runner.ndjson"),
          commandsDir: directory,
        }),
    ).toThrow(PersistenceError);
    const writer = new EventStreamWriter({
      runnerLogPath: path.join(directory, "runner.ndjson"),
      commandsDir: path.join(directory, "missing"),
    });
    expect(() => writer.openStage(1, "01-x")).toThrow(PersistenceError);
    writer.close();
    expect(() => writer.run({ type: "run:end", status: "failed", status_detail: null })).toThrow(
      PersistenceError,
    );
  });

  it("writes output chunks exactly as JSON.stringify would, for any text", () => {
    const { writer, runnerLogPath } = setUp();
    const stageFile = writer.openStage(2, "02-print");
    const texts = [
      "plain line\n",
      'quotes " and \\ backslashes, tabs\t, CR\r\n, NUL \u0000, ESC \u001b[31m',
      "unicode é € 😀, separators \u2028\u2029, lone surrogates \ud800 x \udfff",
    ];
    writer.output(2, { stream: "stdout", data: texts[0] as string, attempt: 1 });
    writer.output(2, { stream: "stderr", data: texts[1] as string, attempt: 2 });
    writer.output(2, { stream: "stdout", data: texts[2] as string });
    writer.close();
    const expected = [
      { type: "command:stdout", data: texts[0], attempt: 1, timestamp: NOW.toISOString(), index: 2 },
      { type: "command:stderr", data: texts[1], attempt: 2, timestamp: NOW.toISOString(), index: 2 },
      { type: "command:stdout", data: texts[2], timestamp: NOW.toISOString(), index: 2 },
    ]
      .map((event) => `${JSON.stringify(event)}\n`)
      .join("");
    expect(fs.readFileSync(stageFile, "utf8")).toBe(expected);
    expect(fs.readFileSync(runnerLogPath, "utf8")).toBe(expected);
    for (const event of readEvents(stageFile)) expect(RunEvent.safeParse(event).success).toBe(true);
  });

  it("collects output and writes it before any other event, in the same order in both files", () => {
    const { writer, runnerLogPath } = setUp();
    const stageFile = writer.openStage(1, "01-build");
    writer.stage(1, { type: "command:start", command: "make", attempt: 1 });
    writer.output(1, { stream: "stdout", data: "a", attempt: 1 });
    writer.output(1, { stream: "stderr", data: "b", attempt: 1 });
    // Collected, not written yet.
    expect(readEvents(stageFile).map((event) => event.type)).toEqual(["command:start"]);
    writer.runForStage(1, { type: "stage:status", stage_id: "build", status: "running" });
    writer.output(1, { stream: "stdout", data: "c", attempt: 1 });
    writer.stage(1, { type: "command:end", exit_code: 0, signal: null, attempt: 1 });
    writer.output(1, { stream: "stdout", data: "d", attempt: 1 });
    writer.run({ type: "run:end", status: "succeeded", status_detail: null });
    writer.close();
    const describe = (event: Record<string, unknown>) => `${String(event.type)}${String(event.data ?? "")}`;
    expect(readEvents(runnerLogPath).map(describe)).toEqual([
      "command:start",
      "command:stdouta",
      "command:stderrb",
      "stage:status",
      "command:stdoutc",
      "command:end",
      "command:stdoutd",
      "run:end",
    ]);
    expect(readEvents(stageFile).map(describe)).toEqual([
      "command:start",
      "command:stdouta",
      "command:stderrb",
      "command:stdoutc",
      "command:end",
      "command:stdoutd",
    ]);
  });

  it("writes collected output within 50 ms, and on flush and closeStage", async () => {
    const { writer, runnerLogPath } = setUp();
    const stageFile = writer.openStage(1, "01-build");
    writer.output(1, { stream: "stdout", data: "tick" });
    expect(fs.readFileSync(stageFile, "utf8")).toBe("");
    await sleep(250);
    expect(readEvents(stageFile).map((event) => event.data)).toEqual(["tick"]);
    writer.output(1, { stream: "stdout", data: "flushed" });
    writer.flush();
    expect(readEvents(runnerLogPath).map((event) => event.data)).toEqual(["tick", "flushed"]);
    writer.output(1, { stream: "stdout", data: "closing" });
    writer.closeStage(1);
    expect(readEvents(stageFile).map((event) => event.data)).toEqual(["tick", "flushed", "closing"]);
    writer.close();
  });

  it("writes a large output in batches, every line whole and in order", () => {
    const { writer, runnerLogPath } = setUp();
    const stageFile = writer.openStage(1, "01-big");
    const chunks = Array.from({ length: 200 }, (_, chunk) => `${chunk}:${"x".repeat(20_000 + chunk)}\n`);
    for (const data of chunks) writer.output(1, { stream: "stdout", data, attempt: 1 });
    // Full batches are already on disk, before any flush.
    expect(fs.statSync(stageFile).size).toBeGreaterThan(3 * 1024 * 1024);
    writer.close();
    expect(readEvents(stageFile).map((event) => event.data)).toEqual(chunks);
    expect(fs.readFileSync(runnerLogPath, "utf8")).toBe(fs.readFileSync(stageFile, "utf8"));
  });

  // /dev/full opens like any file and fails every write with ENOSPC: a full disk.
  it.skipIf(!fs.existsSync("/dev/full"))(
    "hands a failure to write collected output to the stage's onWriteError, else throws it once",
    async () => {
      const commandsDir = tempDir();
      const runnerLogPath = "/dev/full";
      const failures: unknown[] = [];
      const writer = new EventStreamWriter({ runnerLogPath, commandsDir, now: () => NOW });
      writer.openStage(1, "01-x", { onWriteError: (error) => failures.push(error) });
      writer.output(1, { stream: "stdout", data: "first" });
      expect(failures).toEqual([]);
      await sleep(250);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toBeInstanceOf(PersistenceError);
      expect(String(failures[0])).toMatch(/Could not append to \/dev\/full: .*ENOSPC/);
      writer.closeStage(1);
      // Without a handler the failure surfaces from the next call, once.
      writer.openStage(2, "02-y");
      writer.output(2, { stream: "stdout", data: "second" });
      expect(() => writer.flush()).toThrow(PersistenceError);
      expect(() => writer.flush()).not.toThrow();
      expect(failures).toHaveLength(1);
      writer.close();
    },
  );
});

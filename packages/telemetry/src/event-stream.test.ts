import fs from "node:fs";
import path from "node:path";
import { RunEvent } from "@codex/orchestrator-schema";
import { PersistenceError } from "@codex/orchestrator-persistence";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/temp-dir.js";
import { EventStreamWriter } from "./event-stream.js";

const NOW = new Date("2025-10-31T22:56:35.000Z");

function setUp(options: { transform?: (text: string) => string } = {}) {
  const runDir = tempDir();
  const commandsDir = path.join(runDir, "commands");
  fs.mkdirSync(commandsDir);
  const runnerLogPath = path.join(runDir, "runner.ndjson");
  const writer = new EventStreamWriter({ runnerLogPath, commandsDir, now: () => NOW, ...options });
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

  it("applies the transform to every line in both files", () => {
    const { writer, runnerLogPath } = setUp({ transform: (text) => text.replaceAll("s3cret", "[redacted]") });
    const stageFile = writer.openStage(1, "01-login");
    writer.stage(1, { type: "command:stdout", data: "token s3cret" });
    writer.run({ type: "run:end", status: "failed", status_detail: "s3cret" });
    writer.close();
    expect(fs.readFileSync(runnerLogPath, "utf8")).not.toContain("s3cret");
    expect(readEvents(stageFile)[0]?.data).toBe("token [redacted]");
    expect(readEvents(runnerLogPath)[1]?.status_detail).toBe("[redacted]");
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
});

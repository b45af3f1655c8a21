import fs from "node:fs";
import path from "node:path";
import { checkLogChain } from "@codex/orchestrator-schema/evidence";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/temp-dir.js";
import { EventStreamWriter } from "./event-stream.js";

const RUN_ID = "2026-01-01T00-00-00-000Z-abcdef12";

function writer(directory: string): EventStreamWriter {
  return new EventStreamWriter({
    runnerLogPath: path.join(directory, "runner.ndjson"),
    commandsDir: path.join(directory, "commands"),
    chainFrom: { runId: RUN_ID },
  });
}

function run(directory: string, output: string): void {
  const events = writer(directory);
  events.run({ type: "run:start" });
  events.openStage(1, "01-build");
  events.stage(1, { type: "command:start", command: "make" });
  events.output(1, { stream: "stdout", data: output });
  events.stage(1, { type: "command:end", exit_code: 0 });
  events.closeStage(1);
  events.run({ type: "run:end" });
  const digests = events.logDigests();
  events.close();
  for (const log of digests)
    expect(checkLogChain(log.path, RUN_ID)).toMatchObject({ sha256: log.sha256, broken: null });
}

describe("EventStreamWriter with hash chains", () => {
  it("chains each log on its own, continues both when reopened (a resume), and reports their digests", () => {
    const directory = tempDir();
    fs.mkdirSync(path.join(directory, "commands"));
    run(directory, "first process\n");
    run(directory, "second process ✓\n");
    const runner = checkLogChain(path.join(directory, "runner.ndjson"), RUN_ID);
    const stage = checkLogChain(path.join(directory, "commands", "01-build.ndjson"), RUN_ID);
    expect(runner).toMatchObject({ lines: 10, chainedLines: 10, broken: null });
    expect(stage).toMatchObject({ lines: 6, chainedLines: 6, broken: null });
  });

  it("writes no prev without chainFrom", () => {
    const directory = tempDir();
    fs.mkdirSync(path.join(directory, "commands"));
    const events = new EventStreamWriter({
      runnerLogPath: path.join(directory, "runner.ndjson"),
      commandsDir: path.join(directory, "commands"),
    });
    events.run({ type: "run:start" });
    events.close();
    expect(fs.readFileSync(path.join(directory, "runner.ndjson"), "utf8")).not.toContain('"prev"');
    expect(events.logDigests()).toEqual([]);
  });
});

import fs from "node:fs";
import path from "node:path";
import { checkLogChain, LineChain } from "@codex/orchestrator-schema/evidence";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { BatchedAppender } from "./batched-append.js";
import { AppendFile } from "./append-file.js";

const RUN_ID = "2026-01-01T00-00-00-000Z-abcdef12";

describe("BatchedAppender on chained logs", () => {
  it("seals every line of each file with that file's own chain: batched, direct and oversized lines", () => {
    const directory = tempDir();
    const stagePath = path.join(directory, "01-build.ndjson");
    const runnerPath = path.join(directory, "runner.ndjson");
    const stageChain = LineChain.begin(RUN_ID);
    const runnerChain = LineChain.begin(RUN_ID);
    const stage = new AppendFile(stagePath, { chain: stageChain });
    const runner = new AppendFile(runnerPath, { chain: runnerChain });
    const failures: unknown[] = [];
    const batches = new BatchedAppender({ onError: (error) => failures.push(error), batchBytes: 256 });
    runner.writeLine('{"type":"run:start","index":null}\n');
    for (let line = 1; line <= 50; line += 1)
      batches.append(
        ['{"type":"command:stdout","data":', JSON.stringify(`line ${line} é`), ',"index":1}\n'],
        [stage, runner],
        1,
      );
    batches.append(
      `{"type":"command:stdout","data":"${"h".repeat(1024 * 1024 + 10)}","index":1}\n`,
      [stage, runner],
      1,
    );
    batches.flush();
    runner.writeLine('{"type":"run:end","index":null}\n');
    stage.close();
    runner.close();

    expect(failures).toEqual([]);
    const stageCheck = checkLogChain(stagePath, RUN_ID);
    const runnerCheck = checkLogChain(runnerPath, RUN_ID);
    expect(stageCheck).toMatchObject({
      lines: 51,
      chainedLines: 51,
      broken: null,
      sha256: stageChain.digest(),
    });
    expect(runnerCheck).toMatchObject({
      lines: 53,
      chainedLines: 53,
      broken: null,
      sha256: runnerChain.digest(),
    });
    // The events are the same in both files; only their prev differs.
    const events = (file: string) =>
      fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const { prev: _prev, ...event } = JSON.parse(line) as Record<string, unknown>;
          return event;
        });
    expect(events(runnerPath).slice(1, -1)).toEqual(events(stagePath));
  });

  it("refuses a line that is not a JSON object on a chained file, and reports it to its owner", () => {
    const file = path.join(tempDir(), "runner.ndjson");
    const log = new AppendFile(file, { chain: LineChain.begin(RUN_ID) });
    const owners: number[] = [];
    const batches = new BatchedAppender({ onError: (_error, owner) => owners.push(owner) });
    batches.append("plain text\n", [log], 7);
    batches.flush();
    log.close();
    expect(owners).toEqual([7]);
    expect(fs.readFileSync(file, "utf8")).toBe("");
  });
});

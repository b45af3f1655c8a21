import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliJson } from "../helpers/cli.js";
import { command, pipeline, tempRepo } from "../helpers/repo.js";
import { runNode } from "../scripts/support.js";
import {
  originalCommand,
  originalManifest,
  originalMetricsLine,
  originalRunId,
  originalStateEntry,
  originalTime,
  recordRunAsOriginal,
  writeOriginalRun,
} from "./original-formats.js";

interface StateFile {
  taskId: string;
  lastRunAt: string;
  runs: Array<Record<string, unknown>>;
}

describe("a repository used by both the original CLI and this one", () => {
  it("keeps the original's state.json entries, runs and metrics beside ours", () => {
    const root = tempRepo({ pipelines: [pipeline("ci", [command("build", "echo built")])] });
    const first = originalRunId(1);
    const second = originalRunId(2);
    for (const [runId, minute] of [
      [first, 1],
      [second, 2],
    ] as const) {
      writeOriginalRun(
        root,
        originalManifest({
          runId,
          pipelineId: "diagnostics",
          status: "succeeded",
          startedAt: originalTime(minute),
          completedAt: originalTime(minute, 30),
          commands: [originalCommand(1, "build", { status: "succeeded", exit_code: 0, sub_run_id: null })],
        }),
      );
    }
    const originalEntries = [
      originalStateEntry(first, originalTime(1, 31)),
      originalStateEntry(second, originalTime(2, 31), false),
    ];
    mkdirSync(path.join(root, "out/0101"), { recursive: true });
    writeFileSync(
      path.join(root, "out/0101/state.json"),
      JSON.stringify({ taskId: "0101", lastRunAt: originalTime(2, 31), runs: originalEntries }, null, 2),
    );
    writeFileSync(
      path.join(root, ".runs/0101/metrics.json"),
      `${originalMetricsLine(first, "succeeded", true)}\n${originalMetricsLine(second, "failed", false)}\n`,
    );

    const ours = runCliJson<{ run_id: string }>(root, ["start", "ci"]);

    expect(ours.status).toBe(0);
    const stateText = readFileSync(path.join(root, "out/0101/state.json"), "utf8");
    const state = JSON.parse(stateText) as StateFile;
    // Every original entry kept as it was, ours after them (by time), no file set aside.
    expect(state.runs.slice(0, 2)).toEqual(originalEntries);
    expect(state.runs.map((run) => run.runId)).toEqual([first, second, ours.json.run_id]);
    expect(state.lastRunAt).toBe(state.runs[2]!.timestamp);
    expect(readdirSync(path.join(root, "out/0101"))).toEqual(["state.json"]);
    // The original can go on recording runs into it.
    expect(() =>
      recordRunAsOriginal(stateText, "0101", { runId: "x", timestamp: "2999-01-01T00:00:00.000Z" }),
    ).not.toThrow();

    // runs lists both versions' runs.
    const listed = runCliJson<Array<{ run_id: string; status: string }>>(root, ["runs"]);
    expect(listed.json.map((row) => row.run_id)).toEqual([ours.json.run_id, second, first]);
    // The metrics summary counts both versions' lines.
    expect(runNode("mcp-runner-metrics.js", ["--summarize"], { cwd: root }).status).toBe(0);
    const summary = JSON.parse(
      readFileSync(path.join(root, ".runs/0101/metrics-summary.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(summary).toMatchObject({
      entries_total: 3,
      entries_succeeded: 2,
      entries_failed: 1,
      parse_errors: [],
    });
  });

  it("never moves lastRunAt backwards when the original recorded a later run", () => {
    const root = tempRepo({ pipelines: [pipeline("ci", [command("build", "echo built")])] });
    mkdirSync(path.join(root, "out/0101"), { recursive: true });
    const future = "2999-01-01T00:00:00.000Z";
    writeFileSync(
      path.join(root, "out/0101/state.json"),
      JSON.stringify({ taskId: "0101", lastRunAt: future, runs: [originalStateEntry("future-run", future)] }),
    );

    expect(runCli(root, ["start", "ci"]).status).toBe(0);

    const state = JSON.parse(readFileSync(path.join(root, "out/0101/state.json"), "utf8")) as StateFile;
    expect(state.lastRunAt).toBe(future);
    expect(state.runs.map((run) => run.runId).at(-1)).toBe("future-run");
    expect(state.runs).toHaveLength(2);
  });

  it('starts an original empty snapshot (lastRunAt "") without setting it aside', () => {
    const root = tempRepo({ pipelines: [pipeline("ci", [command("build", "echo built")])] });
    mkdirSync(path.join(root, "out/0101"), { recursive: true });
    writeFileSync(
      path.join(root, "out/0101/state.json"),
      JSON.stringify({ taskId: "0101", lastRunAt: "", runs: [] }),
    );

    expect(runCli(root, ["start", "ci"]).status).toBe(0);

    const state = JSON.parse(readFileSync(path.join(root, "out/0101/state.json"), "utf8")) as StateFile;
    expect(state.runs).toHaveLength(1);
    expect(state.lastRunAt).not.toBe("");
    expect(readdirSync(path.join(root, "out/0101"))).toEqual(["state.json"]);
  });
});

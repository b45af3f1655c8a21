import fs from "node:fs";
import path from "node:path";
import { validatorsFor, type StateSnapshot } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { runNode, usePackageBundle, writeScript } from "../../test/child-processes.js";
import { runSummary } from "../../test/fixtures.js";
import { PersistenceError } from "../errors.js";
import { updateStateSnapshot } from "./state-snapshot.js";

const bundle = usePackageBundle();

const runId = (n: number) => `2025-10-31T22-56-${String(n).padStart(2, "0")}-000Z-0000000${n % 10}`;

function readState(statePath: string): StateSnapshot {
  return JSON.parse(fs.readFileSync(statePath, "utf8")) as StateSnapshot;
}

// Updates the snapshot and reads back what is on disk.
function update(options: Parameters<typeof updateStateSnapshot>[0]): StateSnapshot {
  updateStateSnapshot(options);
  return readState(options.statePath);
}

// An entry as the original CLI wrote it.
const original = (n: number) => ({
  taskId: "0101",
  runId: `original-${n}`,
  mode: "mcp",
  plan: { items: [{ id: "diagnostics:build", description: "Build" }] },
  build: {
    subtaskId: "diagnostics:build",
    artifacts: [],
    mode: "mcp",
    runId: `original-${n}`,
    success: true,
  },
  test: { subtaskId: "diagnostics:build", success: true, reports: [], runId: `original-${n}` },
  review: { summary: "ok", decision: { approved: true } },
  timestamp: `2025-10-31T2${n}:00:00.000Z`,
});

describe("updateStateSnapshot", () => {
  it("creates the snapshot, orders runs by timestamp and replaces a run by run_id", () => {
    const statePath = path.join(tempDir(), "state.json");
    updateStateSnapshot({ statePath, taskId: "0101", summary: runSummary(runId(2)) });
    updateStateSnapshot({
      statePath,
      taskId: "0101",
      summary: runSummary(runId(1), { completed_at: "2025-10-31T23:00:00.000Z" }),
    });
    const after = update({
      statePath,
      taskId: "0101",
      summary: runSummary(runId(2), { status: "failed" }),
    });
    expect(validatorsFor("state-snapshot").validate(after)).toEqual({ valid: true, errors: [] });
    expect(after.taskId).toBe("0101");
    expect(after.runs.map((run) => [run.run_id, run.runId, run.status])).toEqual([
      [runId(2), runId(2), "failed"],
      [runId(1), runId(1), "succeeded"],
    ]);
    expect(after.lastRunAt).toBe("2025-10-31T23:00:00.000Z");
    expect(fs.readdirSync(path.dirname(statePath))).toEqual(["state.json"]);
  });

  it("stores one compact entry per run: no per-stage lists, the original keys kept", () => {
    const statePath = path.join(tempDir(), "state.json");
    const snapshot = update({ statePath, taskId: "0101", summary: runSummary(runId(1)) });
    const entry = snapshot.runs[0] as Record<string, unknown>;
    expect(entry).not.toHaveProperty("commands");
    expect(entry).not.toHaveProperty("summary");
    expect(entry.plan).toEqual({ items: [] });
    for (const key of ["taskId", "runId", "mode", "plan", "build", "test", "review", "timestamp"]) {
      expect(entry).toHaveProperty(key);
    }
  });

  it("keeps every entry of a snapshot the original CLI wrote and orders ours among them", () => {
    const statePath = path.join(tempDir(), "state.json");
    fs.writeFileSync(
      statePath,
      JSON.stringify({
        taskId: "0101",
        lastRunAt: "2025-10-31T23:00:00.000Z",
        runs: [original(1), original(3)],
      }),
    );
    const snapshot = update({
      statePath,
      taskId: "0101",
      summary: runSummary(runId(1), { completed_at: "2025-10-31T22:30:00.000Z" }),
    });
    expect(snapshot.runs.map((run) => run.runId)).toEqual(["original-1", runId(1), "original-3"]);
    expect(snapshot.runs[0]).toEqual(original(1));
    expect(snapshot.lastRunAt).toBe("2025-10-31T23:00:00.000Z");
    expect(fs.readdirSync(path.dirname(statePath))).toEqual(["state.json"]);
  });

  it("adds the newest run without rewriting the rest, giving the same text as a whole rewrite", () => {
    const directory = tempDir();
    const appended = path.join(directory, "appended.json");
    const rewritten = path.join(directory, "rewritten.json");
    // An original entry first, as the original CLI leaves them; then ours, newest last.
    fs.writeFileSync(
      appended,
      `${JSON.stringify({ taskId: "0101", lastRunAt: "", runs: [original(1)] }, null, 2)}\n`,
    );
    for (let n = 2; n <= 6; n += 1) {
      const summary = runSummary(runId(n), { completed_at: `2025-11-01T00:0${n}:00.000Z` });
      updateStateSnapshot({ statePath: appended, taskId: "0101", summary });
      // maxRuns large enough to keep all: the same update through the whole-snapshot path.
      fs.copyFileSync(appended, rewritten);
    }
    const last = runSummary(runId(7), { completed_at: "2025-11-01T00:07:00.000Z" });
    updateStateSnapshot({ statePath: appended, taskId: "0101", summary: last });
    updateStateSnapshot({ statePath: rewritten, taskId: "0101", summary: last, maxRuns: 1_000 });
    expect(fs.readFileSync(appended, "utf8")).toBe(fs.readFileSync(rewritten, "utf8"));
    const snapshot = readState(appended);
    expect(snapshot.runs.map((run) => run.run_id ?? run.runId)).toEqual([
      "original-1",
      ...[2, 3, 4, 5, 6, 7].map(runId),
    ]);
    expect(snapshot.lastRunAt).toBe("2025-11-01T00:07:00.000Z");
    // A run older than the newest entry, or one already there, takes the whole-snapshot path.
    const older = update({
      statePath: appended,
      taskId: "0101",
      summary: runSummary(runId(8), { completed_at: "2025-11-01T00:00:30.000Z" }),
    });
    expect(older.runs.map((run) => run.run_id ?? run.runId).slice(0, 3)).toEqual([
      "original-1",
      runId(8),
      runId(2),
    ]);
    expect(older.lastRunAt).toBe("2025-11-01T00:07:00.000Z");
    const replaced = update({ statePath: appended, taskId: "0101", summary: { ...last, status: "failed" } });
    expect(replaced.runs).toHaveLength(8);
    expect(replaced.runs.at(-1)).toMatchObject({ run_id: runId(7), status: "failed" });
  });

  it("reads none of the older entries to add the newest: entries out of order stay as found", () => {
    const statePath = path.join(tempDir(), "state.json");
    const late = { ...original(2), timestamp: "2025-11-01T00:09:00.000Z" };
    const early = { ...original(1), timestamp: "2025-11-01T00:01:00.000Z" };
    fs.writeFileSync(
      statePath,
      `${JSON.stringify({ taskId: "0101", lastRunAt: "2025-11-01T00:09:00.000Z", runs: [late, early] }, null, 2)}\n`,
    );
    const snapshot = update({
      statePath,
      taskId: "0101",
      summary: runSummary(runId(3), { completed_at: "2025-11-01T00:05:00.000Z" }),
    });
    // Newer than the last entry: added after it, the two before left in their order (a whole
    // rewrite would have sorted them); lastRunAt stays the newest time seen.
    expect(snapshot.runs.map((run) => run.run_id ?? run.runId)).toEqual([
      "original-2",
      "original-1",
      runId(3),
    ]);
    expect(snapshot.lastRunAt).toBe("2025-11-01T00:09:00.000Z");
  });

  it("never moves lastRunAt backwards", () => {
    const statePath = path.join(tempDir(), "state.json");
    fs.writeFileSync(
      statePath,
      JSON.stringify({ taskId: "0101", lastRunAt: "2030-01-01T00:00:00.000Z", runs: [] }),
    );
    const snapshot = update({ statePath, taskId: "0101", summary: runSummary(runId(1)) });
    expect(snapshot.lastRunAt).toBe("2030-01-01T00:00:00.000Z");
  });

  it("keeps every entry by default, and the newest maxRuns when asked", () => {
    const statePath = path.join(tempDir(), "state.json");
    for (let n = 1; n <= 5; n += 1) {
      const completed_at = `2025-10-31T23:0${n}:00.000Z`;
      updateStateSnapshot({
        statePath,
        taskId: "0101",
        summary: runSummary(runId(n), { completed_at }),
      });
    }
    const snapshot = readState(statePath);
    expect(snapshot.runs).toHaveLength(5);
    const capped = update({
      statePath,
      taskId: "0101",
      summary: runSummary(runId(6), { completed_at: "2025-10-31T23:06:00.000Z" }),
      maxRuns: 3,
    });
    expect(capped.runs.map((run) => run.run_id)).toEqual([runId(4), runId(5), runId(6)]);
  });

  it.each([
    ["not JSON", "{ broken"],
    ["JSON that is not a snapshot", '{"taskId": "0101", "runs": "nope"}'],
  ])("sets a corrupt file (%s) aside and rebuilds", (_label, content) => {
    const directory = tempDir();
    const statePath = path.join(directory, "state.json");
    fs.writeFileSync(statePath, content);
    const snapshot = update({ statePath, taskId: "0101", summary: runSummary(runId(1)) });
    expect(snapshot.runs).toHaveLength(1);
    const names = fs.readdirSync(directory).sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toBe("state.json");
    expect(names[1]).toMatch(/^state\.json\.corrupt-\d+$/);
    expect(fs.readFileSync(path.join(directory, names[1] ?? ""), "utf8")).toBe(content);
  });

  it("throws PersistenceError when the snapshot directory does not exist", () => {
    const statePath = path.join(tempDir(), "missing", "state.json");
    expect(() => updateStateSnapshot({ statePath, taskId: "0101", summary: runSummary(runId(1)) })).toThrow(
      PersistenceError,
    );
  });

  it("loses no run when 4 processes update the same snapshot 10 times each", async () => {
    const directory = tempDir();
    const statePath = path.join(directory, "state.json");
    const template = JSON.stringify(runSummary("placeholder"));
    const script = writeScript(
      directory,
      "update.mjs",
      `import { updateStateSnapshot } from ${JSON.stringify(bundle())};
const [statePath, writer] = process.argv.slice(2);
const template = JSON.parse(${JSON.stringify(template)});
for (let n = 0; n < 10; n += 1) {
  const run_id = "2025-10-31T22-56-3" + n + "-000Z-0000000" + writer;
  updateStateSnapshot({ statePath, taskId: "0101", summary: { ...template, run_id } });
}
`,
    );
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, writer) => runNode(script, [statePath, String(writer)])),
    );
    for (const result of results) {
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
    }
    const snapshot = readState(statePath);
    expect(snapshot.runs).toHaveLength(40);
    expect(new Set(snapshot.runs.map((run) => run.run_id)).size).toBe(40);
    expect(fs.readdirSync(directory).sort()).toEqual(["state.json", "update.mjs"]);
  });
});

import fs from "node:fs";
import path from "node:path";
import { resolveLocations, type OrchestratorLocations } from "@codex/orchestrator-persistence";
import type { Manifest } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { sampleManifest } from "../../../../test/helpers/sample-manifest.js";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { RUN_INDEX_DIR } from "./listing/run-index-cache.js";
import { findLatestRun, listRuns } from "./run-index.js";

function setup(): OrchestratorLocations {
  return resolveLocations({ root: tempDir(), env: {} });
}

// A run id of the given day and minute (ids sort by time).
const runIdAt = (day: string, minute: number, hex = "0000000a") =>
  `${day}T00-${String(minute).padStart(2, "0")}-00-000Z-${hex}`;

function writeRun(
  locations: OrchestratorLocations,
  taskId: string,
  runId: string,
  overrides: Partial<Manifest> = {},
): string {
  const directory = path.join(locations.runsDir, taskId, "cli", runId);
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, "manifest.json");
  const started = `${runId.slice(0, 10)}T00:${runId.slice(14, 16)}:00.000Z`;
  const manifest = sampleManifest(runId, {
    task_id: taskId,
    status: "succeeded",
    started_at: started,
    completed_at: new Date(Date.parse(started) + 2_000).toISOString(),
    summary: "Guardrails: none",
    ...overrides,
  });
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}

const shardFile = (locations: OrchestratorLocations, day: string) =>
  path.join(locations.runsDir, RUN_INDEX_DIR, `${day}.ndjson`);

describe("listRuns: newest first through the sharded run index", () => {
  it("lists newest first across tasks and, with a limit, reads nothing about older days", () => {
    const locations = setup();
    const old = runIdAt("2025-01-01", 1);
    writeRun(locations, "a", old);
    // Older runs whose manifests cannot be read: a limited listing never gets to them.
    const broken = path.join(locations.runsDir, "b", "cli", runIdAt("2025-01-01", 2));
    fs.mkdirSync(broken, { recursive: true });
    fs.writeFileSync(path.join(broken, "manifest.json"), "{ torn");
    const newer = [runIdAt("2025-02-01", 1), runIdAt("2025-02-01", 2), runIdAt("2025-02-01", 3)];
    writeRun(locations, "a", newer[0] as string);
    writeRun(locations, "b", newer[1] as string);
    writeRun(locations, "a", newer[2] as string);

    const limited = listRuns(locations, { limit: 2 });

    expect(limited.map((row) => row.run_id)).toEqual([newer[2], newer[1]]);
    expect(fs.existsSync(shardFile(locations, "2025-02-01"))).toBe(true);
    expect(fs.existsSync(shardFile(locations, "2025-01-01"))).toBe(false);
    const everything = listRuns(locations);
    expect(everything.map((row) => [row.run_id, row.status])).toEqual([
      [newer[2], "succeeded"],
      [newer[1], "succeeded"],
      [newer[0], "succeeded"],
      [runIdAt("2025-01-01", 2), "unreadable"],
      [old, "succeeded"],
    ]);
    expect(listRuns(locations, { since: new Date("2025-01-15") })).toHaveLength(3);
    expect(listRuns(locations, { taskId: "a", limit: 1 }).map((row) => row.run_id)).toEqual([newer[2]]);
  });

  it("uses a cached row while its manifest is unchanged, and reads a resumed run again", () => {
    const locations = setup();
    const runId = runIdAt("2025-03-01", 5);
    const file = writeRun(locations, "t", runId, { status: "failed", status_detail: "stage:x:failed" });
    expect(listRuns(locations)[0]?.status).toBe("failed");
    // The row comes from the shard: a change there shows, as long as the manifest is untouched.
    const shard = shardFile(locations, "2025-03-01");
    fs.writeFileSync(shard, fs.readFileSync(shard, "utf8").replace("Guardrails: none", "Guardrails: cached"));
    expect(listRuns(locations)[0]?.guardrails).toBe("Guardrails: cached");

    // A resume rewrites the manifest: no longer terminal, read again and not cached while running.
    const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
    fs.writeFileSync(file, JSON.stringify({ ...manifest, status: "in_progress", completed_at: null }));
    expect(listRuns(locations)[0]?.status).toBe("in_progress");
    expect(listRuns(locations, { status: "failed" })).toEqual([]);
    const lines = fs.readFileSync(shard, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(1);
  });

  it("ignores a torn shard line, removes the single-file index of earlier versions", () => {
    const locations = setup();
    const runId = runIdAt("2025-04-01", 1);
    writeRun(locations, "t", runId);
    fs.mkdirSync(path.join(locations.runsDir, RUN_INDEX_DIR), { recursive: true });
    fs.writeFileSync(shardFile(locations, "2025-04-01"), '{"key":"t/');
    fs.writeFileSync(path.join(locations.runsDir, ".run-index.json"), "{}");

    expect(listRuns(locations).map((row) => row.run_id)).toEqual([runId]);
    expect(fs.existsSync(path.join(locations.runsDir, ".run-index.json"))).toBe(false);
    const rows = fs
      .readFileSync(shardFile(locations, "2025-04-01"), "utf8")
      .split("\n")
      .filter((line) => line.startsWith('{"key":"t/2025'));
    expect(rows).toHaveLength(1);
  });

  it("keeps using the whole lines of a shard around a torn or edited one", () => {
    const locations = setup();
    const first = runIdAt("2025-04-02", 1);
    const second = runIdAt("2025-04-02", 2);
    writeRun(locations, "t", first);
    writeRun(locations, "t", second);
    listRuns(locations);
    // Rows as the index holds them, marked so that a row taken from the index shows it.
    const file = shardFile(locations, "2025-04-02");
    const [one, two] = fs
      .readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => line.replace(/"pipeline_id":"[^"]*"/, '"pipeline_id":"from-index"'));
    fs.writeFileSync(file, `${one}\n{"key":"t/2025-04-02T\nnot json]\n${two}\n`);

    expect(listRuns(locations).map((row) => row.pipeline_id)).toEqual(["from-index", "from-index"]);
  });

  it("compacts a shard once superseded lines pile up", () => {
    const locations = setup();
    const runId = runIdAt("2025-05-01", 1);
    const file = writeRun(locations, "t", runId);
    for (let round = 0; round < 80; round += 1) {
      fs.appendFileSync(file, " ");
      listRuns(locations);
    }
    const lines = fs.readFileSync(shardFile(locations, "2025-05-01"), "utf8").trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(66);
    expect(listRuns(locations)).toHaveLength(1);
  });

  it("leaves child runs out unless asked; the newest run is the newest top-level one", () => {
    const locations = setup();
    const parent = runIdAt("2025-06-01", 1);
    const child = runIdAt("2025-06-01", 2);
    writeRun(locations, "t", parent);
    writeRun(locations, "t", child, { parent_run_id: parent });

    expect(listRuns(locations).map((row) => row.run_id)).toEqual([parent]);
    expect(listRuns(locations, { includeChildren: true }).map((row) => row.run_id)).toEqual([child, parent]);
    expect(listRuns(locations, { parentRunId: parent }).map((row) => row.run_id)).toEqual([child]);
    expect(findLatestRun(locations)?.runId).toBe(parent);
    expect(findLatestRun(locations, "t", { includeChildren: true })?.runId).toBe(child);
  });

  it("reports busy time apart from time paused", () => {
    const locations = setup();
    const runId = runIdAt("2025-07-01", 0);
    writeRun(locations, "t", runId, {
      completed_at: "2025-07-01T00:10:00.000Z",
      paused_seconds: 540,
      resume_events: [
        {
          actor: "cli",
          reason: "r",
          outcome: "accepted",
          detail: null,
          timestamp: "2025-07-01T00:09:30.000Z",
        },
      ],
    });
    const legacy = runIdAt("2025-07-01", 20);
    // Resumed before paused time was recorded: no figure rather than a wrong one.
    writeRun(locations, "t", legacy, {
      resume_events: [
        {
          actor: "cli",
          reason: "r",
          outcome: "accepted",
          detail: null,
          timestamp: "2025-07-01T00:20:01.000Z",
        },
      ],
    });

    const [newest, paused] = listRuns(locations);

    expect(paused).toMatchObject({ duration_seconds: 600, busy_seconds: 60, paused_seconds: 540 });
    expect(newest).toMatchObject({ duration_seconds: 2, busy_seconds: null, paused_seconds: null });
  });
});

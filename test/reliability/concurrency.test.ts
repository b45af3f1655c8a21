import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validatorsFor } from "../../packages/schema/src/index.js";
import { readJson, readNdjson, runCliJson } from "../helpers/cli.js";
import { exitedPid, lockHolder } from "../helpers/lock-holder.js";
import { checkRunArtifacts, command, pipeline, runCliAsync, tempRepo } from "./support.js";

function lockFile(pid: number): string {
  return JSON.stringify(lockHolder(pid, { purpose: "test" }));
}

describe("concurrency", () => {
  it("20 concurrent starts of one task: 20 valid runs, 20 metrics lines, 20 state entries", async () => {
    const root = tempRepo({
      defaultPipeline: "p",
      pipelines: [pipeline("p", [command("one", "echo one"), command("two", "seq 1 200")])],
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => runCliAsync(root, ["start", "--format", "json"])),
    );
    expect(
      results.map((result) => result.status),
      results.map((result) => result.stderr).join(""),
    ).toEqual(Array(20).fill(0));
    const runIds = results.map((result) => (JSON.parse(result.stdout) as { run_id: string }).run_id);
    expect(new Set(runIds).size).toBe(20);
    for (const runId of runIds) expect(checkRunArtifacts(root, "0101", runId).problems).toEqual([]);
    const metrics = readNdjson(root, ".runs/0101/metrics.json");
    expect(metrics).toHaveLength(20);
    for (const line of metrics) expect(validatorsFor("metrics-line").validate(line).valid).toBe(true);
    expect(new Set(metrics.map((line) => line.run_id))).toEqual(new Set(runIds));
    const state = readJson<{ runs: { run_id: string }[] }>(root, "out/0101/state.json");
    expect(validatorsFor("state-snapshot").validate(state).valid).toBe(true);
    expect(new Set(state.runs.map((run) => run.run_id))).toEqual(new Set(runIds));
  });

  it("two concurrent resumes of one failed run: exactly one runs, the other is refused (exit 2, blocked)", async () => {
    const root = tempRepo({
      defaultPipeline: "p",
      pipelines: [pipeline("p", [command("gate", "test -f ok && sleep 1")])],
    });
    const failed = runCliJson<{ run_id: string; manifest: string }>(root, ["start"]);
    expect(failed.status).toBe(1);
    writeFileSync(path.join(root, "ok"), "");
    const [first, second] = await Promise.all([
      runCliAsync(root, ["resume", failed.json.run_id]),
      runCliAsync(root, ["resume", failed.json.run_id]),
    ]);
    const outcomes = [first, second].map((result) => result.status).sort();
    expect(outcomes).toEqual([0, 2]);
    const refused = [first, second].find((result) => result.status === 2);
    expect(refused?.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused?.stderr).toMatch(/Run .* is (being resumed|still running)/);
    const manifest = readJson<{ status: string; resume_events: { outcome: string; detail: string }[] }>(
      root,
      failed.json.manifest,
    );
    expect(manifest.status).toBe("succeeded");
    // The refusal is always in the run's journal; the owner folds it into the manifest unless it
    // lands while the owner is already signing and releasing the run (a known, narrow window).
    const journal = readdirSync(path.join(root, path.dirname(failed.json.manifest), "resume-events")).map(
      (name) =>
        readJson<{ outcome: string }>(
          root,
          path.join(path.dirname(failed.json.manifest), "resume-events", name),
        ).outcome,
    );
    expect(journal).toEqual(["blocked"]);
    const recorded = manifest.resume_events.map((event) => event.outcome).sort();
    expect([["accepted"], ["accepted", "blocked"]]).toContainEqual(recorded);
    expect(readNdjson(root, ".runs/0101/metrics.json")).toHaveLength(2);
  });

  it("reclaims a run's .owner.lock left by a dead process", async () => {
    const root = tempRepo({
      defaultPipeline: "p",
      pipelines: [pipeline("p", [command("gate", "test -f ok")])],
    });
    const failed = runCliJson<{ run_id: string; manifest: string }>(root, ["start"]);
    expect(failed.status).toBe(1);
    writeFileSync(path.join(root, path.dirname(failed.json.manifest), ".owner.lock"), lockFile(exitedPid()));
    writeFileSync(path.join(root, "ok"), "");
    const status = runCliJson<{ owner: { alive: boolean } | null }>(root, ["status", failed.json.run_id]);
    expect(status.json.owner?.alive).toBe(false);
    const resumed = runCliJson<{ status: string }>(root, ["resume", failed.json.run_id]);
    expect(resumed.status).toBe(0);
    expect(resumed.json.status).toBe("succeeded");
  });

  it("reclaims a state.json.lock left by a dead process: the next run still updates the state", async () => {
    const root = tempRepo({ defaultPipeline: "p", pipelines: [pipeline("p", [command("one", "echo one")])] });
    const first = runCliJson<{ run_id: string }>(root, ["start"]);
    expect(first.status).toBe(0);
    writeFileSync(path.join(root, "out/0101/state.json.lock"), lockFile(exitedPid()));
    const second = runCliJson<{ run_id: string }>(root, ["start"]);
    expect(second.status).toBe(0);
    expect(second.stderr).not.toMatch(/Could not write/);
    const state = readJson<{ runs: { run_id: string }[] }>(root, "out/0101/state.json");
    expect(state.runs.map((run) => run.run_id)).toEqual([first.json.run_id, second.json.run_id]);
  });
});

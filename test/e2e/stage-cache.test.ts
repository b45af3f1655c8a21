import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readNdjson, runCli, runCliJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { command, expectArtifact, readManifest, type EventLine } from "./support.js";
import { cachedRepo, note } from "./stage-cache-support.js";

describe("stage cache", () => {
  it("reuses unchanged stages without running them, and records what was reused and from which run", () => {
    const { root, run } = cachedRepo();
    const first = run();
    expect(first.status).toBe(0);
    expect(first.ran.sort()).toEqual(["build", "lint", "test"]);
    const firstManifest = readManifest(root, first.json.manifest);
    expect(firstManifest.commands[0]?.cache).toMatchObject({ hit: false, stored: true });

    const second = run();
    expect(second.status).toBe(0);
    expect(second.ran).toEqual([]);
    expect(second.stderr).toMatch(/✔ \[1\] build reused from run \S+/);
    expect(second.stderr).toMatch(/Reused from the stage cache \(not run\): (build|test|lint), /);
    expectArtifact("start-output", second.json, "start --format json");
    const manifest = readManifest(root, second.json.manifest);
    expectArtifact("manifest", manifest, "manifest");
    for (const entry of manifest.commands) {
      expect(entry.status).toBe("succeeded");
      expect(entry.attempts ?? []).toEqual([]);
      expect(entry.cache).toMatchObject({
        hit: true,
        key: firstManifest.commands[entry.index - 1]?.cache?.key,
        source_run_id: first.json.run_id,
      });
      expect(entry.cache?.source_completed_at).toMatch(/^\d{4}-/);
    }
    expect(manifest.summary).toContain(`Reused from the stage cache: build (run ${first.json.run_id})`);
    expect(manifest.summary.split("\n").at(-1)).toMatch(/^Guardrails:/);

    // The stage's log and runner.ndjson say it was a hit, and mark the replayed output.
    const stageLog = readNdjson<EventLine>(root, manifest.commands[0]?.log_path as string);
    expect(stageLog.map((line) => line.type)).toEqual(["stage:cache", "command:stdout"]);
    expect(stageLog[1]).toMatchObject({
      data: "built from one\n",
      replayed: true,
      source_run_id: first.json.run_id,
    });
    const runner = readNdjson<EventLine>(root, second.json.log_path);
    for (const line of runner) expectArtifact("run-event", line, "runner.ndjson line");
    expect(runner.some((line) => line.type === "command:start")).toBe(false);
    expect(runner.filter((line) => line.replayed === true)).toHaveLength(3);
  });

  it("misses on a changed input file, and so does every stage that needs it; others still hit", () => {
    const { root, run } = cachedRepo();
    run();
    fs.writeFileSync(path.join(root, "src/a.txt"), "two\n");
    const changed = run();
    expect(changed.ran.sort()).toEqual(["build", "test"]);
    const manifest = readManifest(root, changed.json.manifest);
    expect(manifest.commands.map((entry) => entry.cache?.hit)).toEqual([false, false, true]);
    expect(fs.readFileSync(path.join(root, "dist/out.txt"), "utf8")).toBe("two\n");
  });

  it("misses on a declared env var or a changed command; an undeclared variable does not count", () => {
    const { root, run } = cachedRepo();
    run();
    expect(run([], { UNDECLARED: "x" }).ran).toEqual([]);
    expect(run([], { MODE: "prod" }).ran.sort()).toEqual(["build", "test"]);
    const config = JSON.parse(fs.readFileSync(path.join(root, "codex.orchestrator.json"), "utf8"));
    config.pipelines[0].stages[2].command = `${note("lint")} && echo lint still ok`;
    fs.writeFileSync(path.join(root, "codex.orchestrator.json"), JSON.stringify(config));
    expect(run([], { MODE: "prod" }).ran).toEqual(["lint"]);
  });

  it("restores deleted outputs byte-exact on a hit: binary and empty files, executable bits, nested folders", () => {
    const { root, run } = cachedRepo();
    run();
    const before = fs.readFileSync(path.join(root, "dist/app.bin"));
    fs.rmSync(path.join(root, "dist"), { recursive: true });
    const second = run();
    expect(second.ran).toEqual([]);
    expect(fs.readFileSync(path.join(root, "dist/app.bin")).equals(before)).toBe(true);
    expect(before.equals(Buffer.from([0, 1, 255]))).toBe(true);
    expect(fs.statSync(path.join(root, "dist/empty")).size).toBe(0);
    expect(fs.statSync(path.join(root, "dist/run.sh")).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(path.join(root, "dist/nested/deeper/x.txt"), "utf8")).toBe("deep\n");
  });

  it("--no-cache runs everything and stores nothing; --force runs everything and stores anew", () => {
    const { root, run } = cachedRepo();
    expect(run(["--no-cache"]).ran.sort()).toEqual(["build", "lint", "test"]);
    const nothing = runCliJson<unknown[]>(root, ["cache", "ls"]);
    expect(nothing.json).toEqual([]);
    const noCacheRun = run(["--no-cache"]);
    expect(readManifest(root, noCacheRun.json.manifest).commands[0]?.cache).toBeUndefined();
    run();
    const forced = run(["--force"]);
    expect(forced.ran.sort()).toEqual(["build", "lint", "test"]);
    expect(readManifest(root, forced.json.manifest).commands[0]?.cache).toMatchObject({
      hit: false,
      note: "forced (--force)",
    });
    expect(run().ran).toEqual([]);
  });

  it("never caches a failed stage", () => {
    const { root, run } = cachedRepo([
      command("flaky", `${note("flaky")} && test -f lint/pass`, { needs: [], cache: { inputs: ["src/**"] } }),
    ]);
    const failed = run(["--continue"]);
    expect(failed.status).not.toBe(0);
    expect(readManifest(root, failed.json.manifest).commands[3]?.cache).toMatchObject({
      hit: false,
      stored: null,
    });
    // Same key (lint/pass is not an input): still not stored, so it runs again.
    fs.writeFileSync(path.join(root, "lint/pass"), "");
    expect(run().ran).toContain("flaky");
    expect(run().ran).toEqual([]);
  });

  it("treats a truncated entry as a miss with a warning, never a wrong restore", () => {
    const { root, run } = cachedRepo();
    run();
    const cacheDir = path.join(root, ".runs", ".cache");
    const blobs: string[] = [];
    for (const shard of fs.readdirSync(cacheDir).filter((name) => /^[0-9a-f]{2}$/.test(name)))
      for (const entry of fs.readdirSync(path.join(cacheDir, shard))) {
        const files = path.join(cacheDir, shard, entry, "files");
        for (const blob of fs.readdirSync(files)) blobs.push(path.join(files, blob));
      }
    for (const blob of blobs) fs.truncateSync(blob, 0);
    fs.rmSync(path.join(root, "dist"), { recursive: true });
    const second = run();
    expect(second.status).toBe(0);
    expect(second.ran).toContain("build");
    expect(second.stderr).toMatch(/cache entry unusable/);
    expect(readManifest(root, second.json.manifest).commands[0]?.cache?.note).toMatch(
      /does not match its digest/,
    );
    expect(fs.readFileSync(path.join(root, "dist/app.bin")).equals(Buffer.from([0, 1, 255]))).toBe(true);
  });

  it("never reuses a guardrail stage unless its config says so", () => {
    const { root, run } = cachedRepo([
      command("guard", `${note("guard")} && echo guard ok`, {
        needs: [],
        guardrail: true,
        cache: { inputs: ["src/**"] },
      }),
      command("guard2", `${note("guard2")} && echo guard2 ok`, {
        needs: [],
        guardrail: true,
        cache: { inputs: ["src/**"], reuseGuardrail: true },
      }),
    ]);
    run();
    const second = run();
    expect(second.ran).toEqual(["guard"]);
    const manifest = readManifest(root, second.json.manifest);
    expect(manifest.commands[3]?.cache).toBeUndefined();
    expect(manifest.summary.split("\n").at(-1)).toBe(
      `Guardrails: guard, guard2 succeeded (2 passed; reused: guard2 (run ${manifest.commands[4]?.cache?.source_run_id})).`,
    );
  });

  it("plan shows each stage's key, whether it would hit, and the inputs changed since the last entry", () => {
    const { root, run } = cachedRepo();
    const env = { MODE: "dev" };
    const first = run();
    const hits = runCliJson<{ stages: { cache?: { key: string; hit: boolean } }[] }>(root, ["plan"], { env });
    expectArtifact("plan-output", hits.json, "plan --format json");
    const keys = readManifest(root, first.json.manifest).commands.map((entry) => entry.cache?.key);
    expect(hits.json.stages.map((stage) => [stage.cache?.key, stage.cache?.hit])).toEqual(
      keys.map((key) => [key, true]),
    );
    fs.writeFileSync(path.join(root, "src/a.txt"), "changed\n");
    fs.writeFileSync(path.join(root, "src/new.txt"), "new\n");
    const misses = runCliJson<{
      stages: { cache: { hit: boolean; changes: string[]; last_run_id: string } }[];
    }>(root, ["plan"], { env });
    expect(misses.json.stages[0]?.cache).toMatchObject({
      hit: false,
      last_run_id: first.json.run_id,
      changes: ["input src/a.txt changed", "input src/new.txt added"],
    });
    expect(misses.json.stages[1]?.cache.changes).toEqual(["need build changed"]);
    expect(misses.json.stages[2]?.cache.hit).toBe(true);
    const text = runCli(root, ["plan"], { env });
    expect(text.stdout).toContain("cache: miss (would run)");
    expect(text.stdout).toContain("changed: input src/a.txt changed");
  });

  it("takes cache fields from the pipeline's defaults; cache ls lists entries and cache prune empties it", () => {
    const { root, run } = cachedRepo(
      [command("docs", `${note("docs")} && echo docs`, { needs: [], cache: true })],
      { cache: { inputs: ["lint/**"] } },
    );
    run();
    expect(run().ran).toEqual([]);
    fs.writeFileSync(path.join(root, "lint/rules.txt"), "lax\n");
    expect(run().ran.sort()).toEqual(["docs", "lint"]);

    const listed = runCliJson<Record<string, unknown>[]>(root, ["cache", "ls"]);
    expect(listed.json.length).toBe(6);
    for (const entry of listed.json) expectArtifact("cache-list-entry", entry, "cache ls entry");
    expect(runCli(root, ["cache", "prune", "--max-size", "lots"]).status).toBe(2);
    const pruned = runCliJson<{ removed: number }>(root, ["cache", "prune", "--max-size", "0"]);
    expect(pruned.json.removed).toBe(6);
    expect(runCliJson<unknown[]>(root, ["cache", "ls"]).json).toEqual([]);
    expect(run().ran.sort()).toEqual(["build", "docs", "lint", "test"]);
  });

  it("keys a resumed run's stages like a fresh run's, so what the resume stored is reused later", () => {
    const { root, run } = cachedRepo([
      command("check", `${note("check")} && test -f flags/pass && echo checked`, {
        needs: ["build"],
        cache: { inputs: ["lint/rules.txt"] },
      }),
    ]);
    const failed = run();
    expect(failed.status).not.toBe(0);
    fs.mkdirSync(path.join(root, "flags"));
    fs.writeFileSync(path.join(root, "flags/pass"), "");
    const counter = path.join(tempDir(), "ran.log");
    const resumed = runCliJson(root, ["resume", failed.json.run_id], {
      env: { COUNTER: counter, MODE: "dev" },
    });
    expect(resumed.status).toBe(0);
    // build succeeded before and is not run again (test may have been stopped by check's failure).
    const resumedRan = fs.readFileSync(counter, "utf8").trim().split("\n");
    expect(resumedRan).toContain("check");
    expect(resumedRan).not.toContain("build");
    // The resume keyed check with build's key from the first run's manifest: a fresh run agrees.
    expect(run().ran).toEqual([]);
  });

  it("keeps the cache within the root config's cache.maxSize after a run, least recently used first", () => {
    const { root, run } = cachedRepo();
    const config = JSON.parse(fs.readFileSync(path.join(root, "codex.orchestrator.json"), "utf8"));
    fs.writeFileSync(
      path.join(root, "codex.orchestrator.json"),
      JSON.stringify({ ...config, cache: { maxSize: 0 } }),
    );
    run();
    expect(runCliJson<unknown[]>(root, ["cache", "ls"]).json).toEqual([]);
    expect(run().ran.sort()).toEqual(["build", "lint", "test"]);
    fs.writeFileSync(
      path.join(root, "codex.orchestrator.json"),
      JSON.stringify({ ...config, cache: { maxSize: "1MB" } }),
    );
    run();
    expect(run().ran).toEqual([]);
  });
});

import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJson, runCli, runCliJson } from "../helpers/cli.js";
import { startRedisServer, type RedisServer } from "../helpers/redis-server.js";
import { command, pipeline, tempRepo } from "../helpers/repo.js";
import { Queue } from "../../packages/executor-bullmq/node_modules/bullmq/dist/esm/index.js";
import { Redis } from "../../packages/executor-bullmq/node_modules/ioredis/built/index.js";
import { startCoordinator, startWorker, type WorkerProcess } from "./support.js";

// Writes binary, empty, executable, nested and linked outputs: all must come back byte for byte.
const BUILD =
  "rm -rf dist && mkdir -p dist/nested/deeper && cat src/a.txt > dist/out.txt && printf '\\000\\001\\377' > dist/app.bin && " +
  ": > dist/empty && printf '#!/bin/sh\\n' > dist/run.sh && chmod 755 dist/run.sh && " +
  "echo deep > dist/nested/deeper/x.txt && ln -s out.txt dist/link && echo built from $(cat src/a.txt)";

const CONFIG = {
  pipelines: [
    pipeline("ci", [
      command("build", BUILD, { cache: { inputs: ["src/**"], outputs: ["dist/**"] } }),
      command("plain", "echo not cached"),
    ]),
  ],
};
const FILES = { "src/a.txt": "one\n" };

interface CacheRecord {
  hit: boolean;
  key: string;
  stored?: boolean | null;
  files?: number | null;
  note?: string | null;
  source_run_id?: string | null;
}
interface Manifest {
  commands: {
    id: string;
    status: string;
    summary: string | null;
    cache?: CacheRecord;
    attempts?: unknown[];
  }[];
}

// Every path under `dist` with its kind, mode and bytes (or link target).
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (relative: string) => {
    const file = path.join(root, relative);
    const stat = lstatSync(file);
    const mode = (stat.mode & 0o777).toString(8);
    if (stat.isSymbolicLink()) out[relative] = `link ${readlinkSync(file)}`;
    else if (stat.isDirectory()) {
      out[relative] = `dir ${mode}`;
      for (const name of readdirSync(file)) walk(path.join(relative, name));
    } else out[relative] = `file ${mode} ${readFileSync(file).toString("base64")}`;
  };
  walk("dist");
  return out;
}

describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")("the stage cache shared through Redis", () => {
  let redis: RedisServer;
  let redisDirectory: string;
  let client: Redis;

  beforeAll(async () => {
    redisDirectory = mkdtempSync(path.join(os.tmpdir(), "codex-redis-"));
    redis = await startRedisServer(redisDirectory);
    client = new Redis({ path: redis.socket });
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
    rmSync(redisDirectory, { recursive: true, force: true });
  });

  const env = (queue: string) => ({
    CODEX_ORCHESTRATOR_REDIS_URL: redis.url,
    CODEX_ORCHESTRATOR_QUEUE: queue,
  });
  const start = (root: string, queue: string) => {
    const run = runCliJson<{ run_id: string; manifest: string; status: string }>(
      root,
      ["start", "ci", "--task", "t1", "--executor", "bullmq"],
      { env: env(queue) },
    );
    expect(run.status, run.stderr).toBe(0);
    return { ...run, manifest: readJson<Manifest>(root, run.json.manifest) };
  };
  // How many builds a worker ran, once it printed the end of `runId` (its last stage ran there).
  const buildsAfter = async (worker: WorkerProcess, runId: string) => {
    await worker.waitFor(new RegExp(`finished ${runId} plain attempt 1`));
    return (worker.log().match(/running \S+ build attempt/g) ?? []).length;
  };

  it("a miss is stored by the worker that ran it; a hit is restored byte for byte and never reaches a worker", async () => {
    const coordinator = tempRepo(CONFIG, FILES);
    const checkout = tempRepo(CONFIG, FILES);
    const worker = await startWorker(checkout, redis.url, ["--queue", "share"]);

    const first = start(coordinator, "share");
    const miss = first.manifest.commands[0]!.cache!;
    expect(miss).toMatchObject({ hit: false, stored: true, files: 9 });
    await worker.waitFor(/stored \S+ build attempt 1 in the shared cache \(9 outputs\)/);
    // It was built on the worker: the coordinator's checkout has no outputs of its own.
    expect(existsSync(path.join(coordinator, "dist"))).toBe(false);
    expect(await buildsAfter(worker, first.json.run_id)).toBe(1);

    const second = start(coordinator, "share");
    const hit = second.manifest.commands[0]!;
    expect(hit.cache).toMatchObject({ hit: true, key: miss.key, source_run_id: first.json.run_id, files: 9 });
    expect(hit.attempts ?? []).toEqual([]);
    expect(hit.summary).toBe(`reused from run ${first.json.run_id}: built from one`);
    expect(tree(coordinator)).toEqual(tree(checkout));
    // The uncached stage still went to the worker; the cached one did not.
    expect(await buildsAfter(worker, second.json.run_id)).toBe(1);
    const queue = new Queue("share", { connection: { path: redis.socket } });
    try {
      const jobs = await queue.getJobs(["completed", "failed", "waiting", "active", "delayed"]);
      const ofSecond = jobs
        .filter((job) => job.data.runId === second.json.run_id)
        .map((job) => job.data.stageId);
      expect(ofSecond).toEqual(["plain"]);
    } finally {
      await queue.close();
    }

    // plan looks cached stages up where the executor's runs do: the shared store, or the local one.
    type Planned = { stages: { id: string; cache?: { hit: boolean; key: string | null } }[] };
    const buildOf = (planned: Planned) => planned.stages.find((stage) => stage.id === "build")?.cache;
    const shared = runCliJson<Planned>(coordinator, ["plan", "ci", "--task", "t1", "--executor", "bullmq"], {
      env: env("share"),
    });
    expect(shared.status, shared.stderr).toBe(0);
    expect(buildOf(shared.json)).toMatchObject({ hit: true, key: miss.key });
    const localPlan = runCliJson<Planned>(coordinator, ["plan", "ci", "--task", "t1"]);
    expect(buildOf(localPlan.json)).toMatchObject({ hit: false, key: miss.key });
    const unreachable = runCli(coordinator, ["plan", "ci", "--task", "t1", "--executor", "bullmq"], {
      env: { CODEX_ORCHESTRATOR_REDIS_URL: `unix://${path.join(redisDirectory, "missing.sock")}` },
    });
    expect(unreachable.status).toBe(2);
    expect(unreachable.stderr.trim().split("\n")).toHaveLength(1);

    // cache ls / prune act on the Redis store when the executor is bullmq.
    const bullmqEnv = { ...env("share"), CODEX_ORCHESTRATOR_EXECUTOR: "bullmq" };
    const listed = runCliJson<{ key: string; stage_id: string; files: number }[]>(
      coordinator,
      ["cache", "ls"],
      {
        env: bullmqEnv,
      },
    );
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.json.map((entry) => [entry.key, entry.stage_id, entry.files])).toContainEqual([
      miss.key,
      "build",
      9,
    ]);
    const local = runCliJson<unknown[]>(coordinator, ["cache", "ls"]);
    expect(local.json).toEqual([]);
    const pruned = runCliJson<{ removed: number }>(coordinator, ["cache", "prune", "--max-size", "0"], {
      env: bullmqEnv,
    });
    expect(pruned.json.removed).toBeGreaterThanOrEqual(1);
    expect(await client.exists(`codex:cache:entry:${miss.key.slice(7)}`)).toBe(0);
    const third = start(coordinator, "share");
    expect(third.manifest.commands[0]!.cache).toMatchObject({ hit: false, stored: true });
    expect(await buildsAfter(worker, third.json.run_id)).toBe(2);
  });

  it("a corrupted entry is a miss with a warning: nothing wrong is restored, and the worker stores it anew", async () => {
    const coordinator = tempRepo(CONFIG, { "src/a.txt": "corrupt me\n" });
    const checkout = tempRepo(CONFIG, { "src/a.txt": "corrupt me\n" });
    const worker = await startWorker(checkout, redis.url, ["--queue", "corrupt"]);
    const first = start(coordinator, "corrupt");
    const key = first.manifest.commands[0]!.cache!.key;
    const entry = `codex:cache:entry:${key.slice(7)}`;
    // f:<n> is the n-th output (sorted): dist/out.txt's bytes are changed, its digest is not.
    const meta = JSON.parse((await client.hget(entry, "meta"))!) as { outputs: { path: string }[] };
    const position = meta.outputs.findIndex((output) => output.path === "dist/out.txt");
    await client.hset(entry, `f:${position}`, "tampered\n");

    const second = start(coordinator, "corrupt");
    const record = second.manifest.commands[0]!.cache!;
    expect(record).toMatchObject({ hit: false, key, stored: true });
    expect(record.note).toMatch(
      /cache entry unusable, ran instead: .*dist\/out\.txt does not match its digest/,
    );
    expect(second.stderr).toMatch(/stage build: cache entry unusable/);
    expect(await buildsAfter(worker, second.json.run_id)).toBe(2);
    // Nothing of the bad entry reached the coordinator's checkout.
    expect(existsSync(path.join(coordinator, "dist"))).toBe(false);

    // A missing field is a miss too; after the worker stored it again, the entry is whole.
    expect(await client.hget(entry, `f:${position}`)).toBe("corrupt me\n");
    await client.hdel(entry, "log");
    const third = start(coordinator, "corrupt");
    expect(third.manifest.commands[0]!.cache!.note).toMatch(/has no log/);
    const fourth = start(coordinator, "corrupt");
    expect(fourth.manifest.commands[0]!.cache).toMatchObject({ hit: true, key });
    expect(readFileSync(path.join(coordinator, "dist/out.txt"), "utf8")).toBe("corrupt me\n");
  });

  it("a worker whose files differ from the coordinator's computes another key and stores nothing", async () => {
    const coordinator = tempRepo(CONFIG, { "src/a.txt": "coordinator\n" });
    const checkout = tempRepo(CONFIG, { "src/a.txt": "worker\n" });
    const worker = await startWorker(checkout, redis.url, ["--queue", "differ"]);
    const run = start(coordinator, "differ");
    const record = run.manifest.commands[0]!.cache!;
    expect(record).toMatchObject({ hit: false, stored: false });
    expect(record.note).toMatch(/^not stored: the worker computed sha256:\w+, not the coordinator's/);
    expect(run.stderr).toMatch(/stage build: not stored: the worker computed/);
    expect(await client.exists(`codex:cache:entry:${record.key.slice(7)}`)).toBe(0);
    await worker.waitFor(/did not store \S+ build attempt 1 in the shared cache/);
  });

  it("two coordinators at once share one entry; a third checkout then reuses it", async () => {
    const files = { "src/a.txt": "together\n" };
    const coordinators = [tempRepo(CONFIG, files), tempRepo(CONFIG, files)];
    // Two workers, each in its own checkout (two builds in one checkout at once would race).
    const checkout = tempRepo(CONFIG, files);
    await startWorker(checkout, redis.url, ["--queue", "pair"]);
    await startWorker(tempRepo(CONFIG, files), redis.url, ["--queue", "pair"]);
    const args = ["start", "ci", "--task", "t1", "--executor", "bullmq", "--format", "json"];
    const runs = coordinators.map((root) => startCoordinator(root, args, env("pair")));
    const ends = await Promise.all(runs.map((run) => run.exited));
    expect(
      ends.map((end) => end.code),
      runs.map((run) => run.stderr()).join("\n"),
    ).toEqual([0, 0]);
    const records = runs.map(
      (run, position) =>
        readJson<Manifest>(
          coordinators[position]!,
          (JSON.parse(run.stdout()) as { manifest: string }).manifest,
        ).commands[0]!.cache!,
    );
    expect(records[0]!.key).toBe(records[1]!.key);
    // Each either stored it, found it stored by the other, or reused it.
    for (const record of records)
      expect(
        record.hit || record.stored === true || record.note === "another run stored this key first",
      ).toBe(true);
    const entries = await client.keys(`codex:cache:entry:${records[0]!.key.slice(7)}`);
    expect(entries).toHaveLength(1);

    const third = tempRepo(CONFIG, files);
    const reuse = start(third, "pair");
    expect(reuse.manifest.commands[0]!.cache).toMatchObject({ hit: true, key: records[0]!.key });
    expect(tree(third)).toEqual(tree(checkout));
  });

  it("keeps the shared cache within cache.maxSize, least recently used first", async () => {
    // Each entry holds 1500 bytes of output and about 1 KB of description: 3 KB keeps one.
    const big = (id: string) =>
      command(id, `mkdir -p out && head -c 1500 /dev/zero > out/${id}.bin && echo ${id} done`, {
        cache: { inputs: ["src/**"], outputs: [`out/${id}.bin`] },
      });
    const config = {
      cache: { maxSize: "3KB" },
      pipelines: [pipeline("ci", [big("first"), big("second"), command("plain", "echo not cached")])],
    };
    const coordinator = tempRepo(config, FILES);
    await startWorker(tempRepo(config, FILES), redis.url, ["--queue", "bounded"]);
    const run = start(coordinator, "bounded");
    expect(run.manifest.commands.slice(0, 2).map((entry) => entry.cache?.stored)).toEqual([true, true]);
    const listed = runCliJson<{ stage_id: string; size_bytes: number }[]>(coordinator, ["cache", "ls"], {
      env: { ...env("bounded"), CODEX_ORCHESTRATOR_EXECUTOR: "bullmq" },
    });
    const stages = listed.json.map((entry) => entry.stage_id);
    expect(stages).toContain("second");
    expect(stages).not.toContain("first");
    expect(listed.json.reduce((total, entry) => total + entry.size_bytes, 0)).toBeLessThanOrEqual(3000);
  });

  it("plain `start` without the executor keeps the local store", () => {
    const root = tempRepo(CONFIG, FILES);
    const run = runCli(root, ["start", "ci", "--task", "t1"]);
    expect(run.status, run.stderr).toBe(0);
    const listed = runCliJson<unknown[]>(root, ["cache", "ls"]);
    expect(listed.json).toHaveLength(1);
  });
});

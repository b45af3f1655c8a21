import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../helpers/redis-server.js";
import { tempDir } from "../helpers/temp-dir.js";
import { Redis } from "../../packages/executor-bullmq/node_modules/ioredis/built/index.js";
import { RedisCacheStore } from "../../packages/executor-bullmq/src/redis-cache-store.js";

const source = {
  run_id: "r1",
  task_id: "t1",
  pipeline_id: "ci",
  stage_id: "build",
  completed_at: "2026-01-01T00:00:00.000Z",
};
const fingerprint = (key: string) => ({ key, command: "c", inputs: {}, env: {}, needs: [] });
const keyOf = (digit: string) => `sha256:${digit.repeat(64)}`;

describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")("RedisCacheStore", () => {
  let redis: RedisServer;
  let directory: string;
  let client: Redis;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(os.tmpdir(), "codex-redis-"));
    redis = await startRedisServer(directory);
    client = new Redis({ path: redis.socket });
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it("stores an entry whole and restores files, folders and links byte for byte", async () => {
    const store = new RedisCacheStore(client, { display: "test" });
    const root = tempDir();
    mkdirSync(path.join(root, "dist/empty-dir"), { recursive: true });
    writeFileSync(path.join(root, "dist/a.bin"), Buffer.from([0, 1, 255]));
    writeFileSync(path.join(root, "dist/run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    symlinkSync("a.bin", path.join(root, "dist/link"));
    const outputs = ["dist", "dist/a.bin", "dist/empty-dir", "dist/link", "dist/run.sh"];
    const log = [{ stream: "stdout" as const, data: "built\n" }];
    expect(
      await store.put({ key: keyOf("a"), root, source, fingerprint: fingerprint(keyOf("a")), outputs, log }),
    ).toBe("stored");
    expect(
      await store.put({ key: keyOf("a"), root, source, fingerprint: fingerprint(keyOf("a")), outputs, log }),
    ).toBe("exists");

    const target = tempDir();
    const entry = await store.get(keyOf("a"));
    expect(await entry!.restore(target)).toEqual(log);
    expect(readFileSync(path.join(target, "dist/a.bin"))).toEqual(Buffer.from([0, 1, 255]));
    expect(lstatSync(path.join(target, "dist/run.sh")).mode & 0o777).toBe(0o755);
    expect(readlinkSync(path.join(target, "dist/link"))).toBe("a.bin");
    expect(lstatSync(path.join(target, "dist/empty-dir")).isDirectory()).toBe(true);
    expect((await store.latestFor(source))?.key).toBe(keyOf("a"));
    expect(await store.get(keyOf("b"))).toBeNull();
  });

  it("lists an entry without meta as unreadable, prunes it first, and skips pruning while another holds the lock", async () => {
    const store = new RedisCacheStore(client, { display: "test" });
    await client.hset(`codex:cache:entry:${"c".repeat(64)}`, "log", "x");
    const listed = await store.list();
    expect(listed.find((entry) => entry.key === keyOf("c"))?.readable).toBe(false);
    await expect(store.get(keyOf("c"))).rejects.toThrow(/has no entry.json/);

    await client.set("codex:cache:prune-lock", "someone else", "PX", 5_000);
    expect((await store.prune({ maxSize: 0 })).pruned).toBe(false);
    await client.del("codex:cache:prune-lock");

    const kept = (await store.list())
      .filter((entry) => entry.readable)
      .reduce((sum, entry) => sum + entry.size_bytes, 0);
    const result = await store.prune({ maxSize: kept });
    expect(result).toMatchObject({ removed: 1, pruned: true, keptBytes: kept });
    expect(await client.exists(`codex:cache:entry:${"c".repeat(64)}`)).toBe(0);
    expect(await store.has(keyOf("a"))).toBe(true);
    expect(await client.get("codex:cache:prune-lock")).toBeNull();
  });
});

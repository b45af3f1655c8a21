import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  CacheEntryError,
  packEntry,
  parseEntryMeta,
  restoreEntry,
  type CacheEntry,
  type CacheEntryMeta,
  type CachePutRequest,
  type CacheStore,
  type PruneResult,
} from "@codex/orchestrator-core";
import type { CacheListEntry } from "@codex/orchestrator-schema";
import type { Redis } from "ioredis";

const KEY_PATTERN = /^sha256:([0-9a-f]{64})$/;
/** Every key of the shared cache starts with this (beside BullMQ's `bull:` and the queues' `codex:<queue>:`). */
export const CACHE_KEY_PREFIX = "codex:cache:";
/**
 * An entry is written in one MULTI and read whole into memory: one larger than this is not stored
 * (Redis's own limit for a value is 512 MB).
 */
export const MAX_SHARED_ENTRY_BYTES = 256 * 1024 * 1024;
// A pruner that died leaves its lock this long at most.
const PRUNE_LOCK_MS = 60_000;
const RELEASE_LOCK = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`;

const keys = {
  entry: (hex: string) => `${CACHE_KEY_PREFIX}entry:${hex}`,
  /** hex → last use (ms): the pruning order. */
  lru: `${CACHE_KEY_PREFIX}lru`,
  /** hex → the entry's size in bytes. */
  sizes: `${CACHE_KEY_PREFIX}sizes`,
  stage: (digest: string) => `${CACHE_KEY_PREFIX}stage:${digest}`,
  pruneLock: `${CACHE_KEY_PREFIX}prune-lock`,
};

/**
 * The stage cache in Redis, shared by a coordinator and its workers. One entry is one hash,
 * `codex:cache:entry:<hex>`, with `meta` (the local store's `entry.json`), `log` and `f:<n>` (the
 * bytes of the n-th output). An entry is written whole in one MULTI (deleting what the key held),
 * so a reader sees all of it or none. A restore checks every digest before writing anything, as
 * the local store does: a changed or missing field is a miss with a warning. Storing or using an
 * entry sets its time in a sorted set; after a store the cache is pruned to `maxSize`, least
 * recently used first.
 */
export class RedisCacheStore implements CacheStore {
  readonly #redis: Redis;
  readonly #maxSize: number | null;
  /** Where the store is, for messages (`cache ls`). */
  readonly directory: string;

  constructor(redis: Redis, options: { display: string; maxSize?: number | null }) {
    this.#redis = redis;
    this.#maxSize = options.maxSize ?? null;
    this.directory = `${options.display} (${CACHE_KEY_PREFIX}*)`;
  }

  async has(key: string): Promise<boolean> {
    return (await this.#redis.hexists(keys.entry(keyHex(key)), "meta")) === 1;
  }

  async get(key: string): Promise<CacheEntry | null> {
    const hex = keyHex(key);
    const fields = await this.#redis.hgetallBuffer(keys.entry(hex));
    if (Object.keys(fields).length === 0) return null;
    const metaText = fields.meta;
    if (metaText === undefined) throw new CacheEntryError(`cache entry ${hex} has no entry.json (meta)`);
    const meta = parseEntryMeta(metaText.toString("utf8"), hex);
    if (meta.key !== key) throw new CacheEntryError(`cache entry ${key} holds another key (${meta.key})`);
    return {
      meta,
      restore: async (root) => {
        // The bytes go through a private folder so the local store's checked restore is the only one.
        const staging = await fs.promises.mkdtemp(path.join(os.tmpdir(), "codex-cache-restore-"));
        try {
          await fs.promises.mkdir(path.join(staging, "files"));
          for (const [position, output] of meta.outputs.entries()) {
            const bytes = fields[`f:${position}`];
            if (output.type === "file" && bytes !== undefined)
              await fs.promises.writeFile(path.join(staging, "files", String(position)), bytes);
          }
          if (fields.log !== undefined)
            await fs.promises.writeFile(path.join(staging, "log.ndjson"), fields.log);
          const log = await restoreEntry(staging, meta, root);
          await this.#touch(hex, meta);
          return log;
        } finally {
          await fs.promises.rm(staging, { recursive: true, force: true });
        }
      },
    };
  }

  async put(request: CachePutRequest): Promise<"stored" | "exists"> {
    const hex = keyHex(request.key);
    if (request.replace !== true && (await this.has(request.key))) return "exists";
    const staging = await fs.promises.mkdtemp(path.join(os.tmpdir(), "codex-cache-pack-"));
    try {
      await packEntry(staging, request);
      const metaText = await fs.promises.readFile(path.join(staging, "entry.json"));
      const meta = parseEntryMeta(metaText.toString("utf8"), hex);
      const fields: (string | Buffer)[] = ["meta", metaText];
      let size = metaText.length;
      const log = await fs.promises.readFile(path.join(staging, "log.ndjson"));
      fields.push("log", log);
      size += log.length;
      for (const [position, output] of meta.outputs.entries()) {
        if (output.type !== "file") continue;
        size += output.size;
        if (size > MAX_SHARED_ENTRY_BYTES)
          throw new Error(
            `the entry is larger than the shared cache's ${MAX_SHARED_ENTRY_BYTES / 1024 ** 2} MiB per entry`,
          );
        fields.push(
          `f:${position}`,
          await fs.promises.readFile(path.join(staging, "files", String(position))),
        );
      }
      if (size > MAX_SHARED_ENTRY_BYTES)
        throw new Error(
          `the entry is larger than the shared cache's ${MAX_SHARED_ENTRY_BYTES / 1024 ** 2} MiB per entry`,
        );
      // One transaction: the old entry goes and the new one arrives together.
      await this.#redis
        .multi()
        .del(keys.entry(hex))
        .hset(keys.entry(hex), ...fields)
        .zadd(keys.lru, Date.now(), hex)
        .hset(keys.sizes, hex, size)
        .set(keys.stage(stageDigest(meta.source)), request.key)
        .exec();
    } finally {
      await fs.promises.rm(staging, { recursive: true, force: true });
    }
    if (this.#maxSize !== null) await this.prune({ maxSize: this.#maxSize });
    return "stored";
  }

  async list(): Promise<CacheListEntry[]> {
    const hexes = new Set<string>();
    let cursor = "0";
    do {
      const [next, found] = await this.#redis.scan(
        cursor,
        "MATCH",
        `${CACHE_KEY_PREFIX}entry:*`,
        "COUNT",
        500,
      );
      cursor = next;
      for (const name of found) hexes.add(name.slice(`${CACHE_KEY_PREFIX}entry:`.length));
    } while (cursor !== "0");
    const ordered = [...hexes];
    const [metas, scores, sizes] = await Promise.all([
      Promise.all(ordered.map((hex) => this.#redis.hget(keys.entry(hex), "meta"))),
      Promise.all(ordered.map((hex) => this.#redis.zscore(keys.lru, hex))),
      Promise.all(ordered.map((hex) => this.#redis.hget(keys.sizes, hex))),
    ]);
    const entries = ordered.map((hex, position): CacheListEntry => {
      const lastUsed = new Date(Number(scores[position] ?? 0)).toISOString();
      const size = Number(sizes[position] ?? 0);
      let meta: CacheEntryMeta | null = null;
      try {
        meta = parseEntryMeta(metas[position] ?? "", hex);
      } catch {
        meta = null;
      }
      if (meta === null || meta.key !== `sha256:${hex}`)
        return {
          key: `sha256:${hex}`,
          task_id: null,
          pipeline_id: null,
          stage_id: null,
          run_id: null,
          created_at: null,
          last_used_at: lastUsed,
          files: 0,
          size_bytes: size,
          readable: false,
        };
      return {
        key: meta.key,
        task_id: meta.source.task_id,
        pipeline_id: meta.source.pipeline_id,
        stage_id: meta.source.stage_id,
        run_id: meta.source.run_id,
        created_at: meta.created_at,
        last_used_at: lastUsed,
        files: meta.outputs.length,
        size_bytes: size,
        readable: true,
      };
    });
    return entries.sort((left, right) => (left.last_used_at < right.last_used_at ? 1 : -1));
  }

  async prune(options: { maxSize: number; wait?: boolean }): Promise<PruneResult> {
    const token = randomBytes(8).toString("hex");
    const deadline = Date.now() + (options.wait === true ? 10_000 : 0);
    while ((await this.#redis.set(keys.pruneLock, token, "PX", PRUNE_LOCK_MS, "NX")) === null) {
      if (Date.now() >= deadline) return { removed: 0, freedBytes: 0, keptBytes: 0, pruned: false };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      // Unreadable entries first, then least recently used.
      const entries = (await this.list()).sort((left, right) =>
        left.readable !== right.readable
          ? left.readable
            ? 1
            : -1
          : left.last_used_at < right.last_used_at
            ? -1
            : 1,
      );
      let kept = entries.reduce((total, entry) => total + entry.size_bytes, 0);
      let removed = 0;
      let freed = 0;
      for (const entry of entries) {
        if (kept <= options.maxSize && entry.readable) break;
        const hex = keyHex(entry.key);
        await this.#redis.multi().del(keys.entry(hex)).zrem(keys.lru, hex).hdel(keys.sizes, hex).exec();
        kept -= entry.size_bytes;
        freed += entry.size_bytes;
        removed += 1;
      }
      return { removed, freedBytes: freed, keptBytes: kept, pruned: true };
    } finally {
      await this.#redis.eval(RELEASE_LOCK, 1, keys.pruneLock, token);
    }
  }

  async latestFor(stage: {
    task_id: string;
    pipeline_id: string;
    stage_id: string;
  }): Promise<CacheEntryMeta | null> {
    const key = await this.#redis.get(keys.stage(stageDigest(stage)));
    if (key === null || !KEY_PATTERN.test(key)) return null;
    const text = await this.#redis.hget(keys.entry(keyHex(key)), "meta");
    if (text === null) return null;
    try {
      return parseEntryMeta(text, keyHex(key));
    } catch {
      return null;
    }
  }

  // Marks an entry used now (pruning order; XX: never brings back a pruned one) and names it the
  // stage's latest.
  async #touch(hex: string, meta: Pick<CacheEntryMeta, "key" | "source">): Promise<void> {
    await this.#redis
      .multi()
      .zadd(keys.lru, "XX", Date.now(), hex)
      .set(keys.stage(stageDigest(meta.source)), meta.key)
      .exec();
  }
}

/**
 * `store` with every call passed through `guard` (the coordinator's: a Redis away longer than
 * allowed fails the call, and a failed lookup is a miss, instead of waiting on Redis for ever).
 */
export function guardedStore(store: CacheStore, guard: <T>(pending: Promise<T>) => Promise<T>): CacheStore {
  return {
    has: (key) => guard(store.has(key)),
    get: (key) => guard(store.get(key)),
    put: (request) => guard(store.put(request)),
    list: () => guard(store.list()),
    prune: (options) => guard(store.prune(options)),
    latestFor: (stage) => guard(store.latestFor(stage)),
  };
}

function keyHex(key: string): string {
  const match = KEY_PATTERN.exec(key);
  if (match === null) throw new CacheEntryError(`not a cache key: ${JSON.stringify(key)}`);
  return match[1] as string;
}

function stageDigest(stage: { task_id: string; pipeline_id: string; stage_id: string }): string {
  return createHash("sha256")
    .update(JSON.stringify([stage.task_id, stage.pipeline_id, stage.stage_id]))
    .digest("hex");
}

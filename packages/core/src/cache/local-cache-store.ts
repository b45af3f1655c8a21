import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  acquireLock,
  ensureDirectoryInside,
  LockHeldError,
  writeJsonAtomic,
} from "@codex/orchestrator-persistence";
import type { CacheListEntry } from "@codex/orchestrator-schema";
import { CacheEntryError } from "../errors.js";
import type { CacheEntry, CacheEntryMeta, CachePutRequest, CacheStore, PruneResult } from "./cache-store.js";
import { parseEntryMeta } from "./entry-meta.js";
import { packEntry } from "./entry-pack.js";
import { restoreEntry } from "./entry-restore.js";
import { claimStageKey, type ClaimOptions, type StageClaim } from "./stage-claim.js";
import { digestText } from "./file-digests.js";

const KEY_PATTERN = /^sha256:([0-9a-f]{64})$/;
// A temporary folder older than this belongs to a writer that died: prune removes it.
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/**
 * The stage cache on the local disk, under `<runs>/.cache/`:
 *
 *     <hex[0:2]>/<hex>/entry.json, log.ndjson, files/<n>    one entry per key
 *     tmp/                                                  entries being written
 *     stages/<digest>.json                                  the latest key of each stage
 *
 * An entry is written whole in `tmp/` and published by renaming its folder into place: a reader
 * sees all of it or none, and of two runs storing one key the second rename fails harmlessly.
 * Using or storing an entry sets its folder's time, which orders pruning (least recently used
 * first); pruning takes `prune.lock` and unpublishes an entry by renaming it away before deleting.
 */
export class LocalCacheStore implements CacheStore {
  /** `<runs>/.cache`. */
  readonly directory: string;
  readonly #runsDir: string;
  #stored = 0;

  constructor(runsDir: string) {
    this.#runsDir = runsDir;
    this.directory = path.join(runsDir, ".cache");
  }

  async has(key: string): Promise<boolean> {
    return fs.existsSync(path.join(this.#entryDir(key), "entry.json"));
  }

  async get(key: string): Promise<CacheEntry | null> {
    const directory = this.#entryDir(key);
    if (!fs.existsSync(directory)) return null;
    const meta = await readMeta(directory);
    if (meta.key !== key) throw new CacheEntryError(`cache entry ${key} holds another key (${meta.key})`);
    return {
      meta,
      restore: async (root) => {
        const log = await restoreEntry(directory, meta, root);
        await this.#touch(directory, meta);
        return log;
      },
    };
  }

  async put(request: CachePutRequest): Promise<"stored" | "exists"> {
    const final = this.#entryDir(request.key);
    if (fs.existsSync(final) && request.replace !== true) return "exists";
    const temporary = path.join(
      this.#prepare("tmp"),
      `${keyHex(request.key)}-${process.pid}-${randomBytes(4).toString("hex")}`,
    );
    try {
      await packEntry(temporary, request);
      this.#prepare(path.relative(this.directory, path.dirname(final)));
      // The old entry is unpublished first: a reader in between sees no entry, never a mix.
      if (request.replace === true) await this.#remove(request.key);
      try {
        await fs.promises.rename(temporary, final);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Another run published the same key first: its entry is as good as ours.
        if (code === "ENOTEMPTY" || code === "EEXIST" || code === "EPERM") return "exists";
        throw error;
      }
    } finally {
      await fs.promises.rm(temporary, { recursive: true, force: true });
    }
    await this.#touch(final, { key: request.key, source: request.source });
    this.#stored += 1;
    return "stored";
  }

  async claim(key: string, options: ClaimOptions): Promise<StageClaim> {
    return claimStageKey(this.#prepare("claims"), keyHex(key), options);
  }

  /** How many entries this instance has stored (a run that stored none need not prune). */
  get storedCount(): number {
    return this.#stored;
  }

  async list(): Promise<CacheListEntry[]> {
    const entries: CacheListEntry[] = [];
    for (const shard of await readNames(this.directory)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const hex of await readNames(path.join(this.directory, shard))) {
        const directory = path.join(this.directory, shard, hex);
        const stat = await fs.promises.stat(directory).catch(() => null);
        if (stat === null) continue;
        const lastUsed = stat.mtime.toISOString();
        const meta = await readMeta(directory).catch(() => null);
        entries.push(
          meta === null
            ? {
                key: `sha256:${hex}`,
                task_id: null,
                pipeline_id: null,
                stage_id: null,
                run_id: null,
                created_at: null,
                last_used_at: lastUsed,
                files: 0,
                size_bytes: await folderSize(directory),
                readable: false,
              }
            : {
                key: meta.key,
                task_id: meta.source.task_id,
                pipeline_id: meta.source.pipeline_id,
                stage_id: meta.source.stage_id,
                run_id: meta.source.run_id,
                created_at: meta.created_at,
                last_used_at: lastUsed,
                files: meta.outputs.length,
                size_bytes: meta.size_bytes,
                readable: true,
              },
        );
      }
    }
    return entries.sort((left, right) => (left.last_used_at < right.last_used_at ? 1 : -1));
  }

  async prune(options: { maxSize: number; wait?: boolean }): Promise<PruneResult> {
    if (!fs.existsSync(this.directory)) return { removed: 0, freedBytes: 0, keptBytes: 0, pruned: true };
    let lock;
    try {
      lock = acquireLock(path.join(this.directory, "prune.lock"), {
        timeoutMs: options.wait === true ? 10_000 : 0,
        purpose: "cache prune",
      });
    } catch (error) {
      if (error instanceof LockHeldError) return { removed: 0, freedBytes: 0, keptBytes: 0, pruned: false };
      throw error;
    }
    try {
      await this.#removeAbandoned();
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
        await this.#remove(entry.key);
        kept -= entry.size_bytes;
        freed += entry.size_bytes;
        removed += 1;
      }
      return { removed, freedBytes: freed, keptBytes: kept, pruned: true };
    } finally {
      lock.release();
    }
  }

  async latestFor(stage: {
    task_id: string;
    pipeline_id: string;
    stage_id: string;
  }): Promise<CacheEntryMeta | null> {
    const pointer = path.join(this.directory, "stages", `${stageDigest(stage)}.json`);
    let key: unknown;
    try {
      key = (JSON.parse(await fs.promises.readFile(pointer, "utf8")) as { key?: unknown }).key;
    } catch {
      return null;
    }
    if (typeof key !== "string" || !KEY_PATTERN.test(key)) return null;
    return readMeta(this.#entryDir(key)).catch(() => null);
  }

  #entryDir(key: string): string {
    const hex = keyHex(key);
    return path.join(this.directory, hex.slice(0, 2), hex);
  }

  // Creates a folder of the cache, proving no planted link leads it out of the runs directory.
  #prepare(relative: string): string {
    const directory = path.join(this.directory, relative);
    ensureDirectoryInside(directory, this.#runsDir);
    return directory;
  }

  // Marks an entry used now (pruning order) and names it the stage's latest (what plan compares).
  async #touch(directory: string, meta: Pick<CacheEntryMeta, "key" | "source">): Promise<void> {
    const now = new Date();
    await fs.promises.utimes(directory, now, now).catch(() => {});
    const stages = this.#prepare("stages");
    writeJsonAtomic(path.join(stages, `${stageDigest(meta.source)}.json`), {
      key: meta.key,
      run_id: meta.source.run_id,
      at: now.toISOString(),
    });
  }

  async #remove(key: string): Promise<void> {
    const trash = path.join(this.#prepare("tmp"), `removed-${keyHex(key)}-${randomBytes(4).toString("hex")}`);
    try {
      await fs.promises.rename(this.#entryDir(key), trash);
    } catch {
      return;
    }
    await fs.promises.rm(trash, { recursive: true, force: true });
  }

  async #removeAbandoned(): Promise<void> {
    const tmp = path.join(this.directory, "tmp");
    for (const name of await readNames(tmp)) {
      const stat = await fs.promises.stat(path.join(tmp, name)).catch(() => null);
      if (stat !== null && Date.now() - stat.mtimeMs > ABANDONED_AFTER_MS)
        await fs.promises.rm(path.join(tmp, name), { recursive: true, force: true });
    }
  }
}

function keyHex(key: string): string {
  const match = KEY_PATTERN.exec(key);
  if (match === null) throw new CacheEntryError(`not a cache key: ${JSON.stringify(key)}`);
  return match[1] as string;
}

function stageDigest(stage: { task_id: string; pipeline_id: string; stage_id: string }): string {
  return digestText(JSON.stringify([stage.task_id, stage.pipeline_id, stage.stage_id]));
}

async function readMeta(directory: string): Promise<CacheEntryMeta> {
  let text: string;
  try {
    text = await fs.promises.readFile(path.join(directory, "entry.json"), "utf8");
  } catch (error) {
    throw new CacheEntryError(`cache entry ${path.basename(directory)} has no entry.json`, { cause: error });
  }
  return parseEntryMeta(text, path.basename(directory));
}

async function readNames(directory: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(directory);
  } catch {
    return [];
  }
}

async function folderSize(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.promises
    .readdir(directory, { withFileTypes: true, recursive: true })
    .catch(() => [])) {
    if (entry.isFile())
      total += (await fs.promises.stat(path.join(entry.parentPath, entry.name)).catch(() => null))?.size ?? 0;
  }
  return total;
}

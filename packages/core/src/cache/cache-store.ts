import type { CacheListEntry } from "@codex/orchestrator-schema";
import type { ClaimOptions, StageClaim } from "./stage-claim.js";
import type { StageFingerprint } from "./stage-key.js";

/**
 * A stage's output beyond this is not kept in memory for its cache entry, on the coordinator or on a
 * worker: the stage is then not stored and runs every time.
 */
export const MAX_CACHED_LOG_BYTES = 64 * 1024 * 1024;

/** One chunk of a stage's recorded output (already redacted when it was recorded). */
export interface LogChunk {
  stream: "stdout" | "stderr";
  data: string;
}

/** Where a stored result came from. */
export interface CacheEntrySource {
  run_id: string;
  task_id: string;
  pipeline_id: string;
  stage_id: string;
  completed_at: string;
}

/** One output as an entry keeps it: a file with its digest, a folder, or a link (never followed). */
export interface StoredOutput {
  /** Relative to the repository root, forward slashes. */
  path: string;
  type: "file" | "directory" | "symlink";
  /** Permission bits (executable bits included). */
  mode: number;
  size: number;
  sha256: string | null;
  /** A link's target, as written. */
  target: string | null;
}

/** An entry's `entry.json`: what was stored, from where, and the fingerprint of its key. */
export interface CacheEntryMeta {
  format: number;
  key: string;
  created_at: string;
  source: CacheEntrySource;
  fingerprint: StageFingerprint;
  outputs: StoredOutput[];
  log: { sha256: string; size: number };
  size_bytes: number;
}

/** A stored result found for a key. */
export interface CacheEntry {
  readonly meta: CacheEntryMeta;
  /**
   * Verifies every digest, then restores the outputs under `root` (byte-exact, modes and links
   * kept) and returns the stage's log. Throws CacheEntryError, having changed nothing, when the
   * entry is corrupt or a path would leave `root`.
   */
  restore(root: string): Promise<LogChunk[]>;
}

/** A success to store. */
export interface CachePutRequest {
  key: string;
  root: string;
  source: CacheEntrySource;
  fingerprint: StageFingerprint;
  /** Output paths relative to `root`, forward slashes. */
  outputs: readonly string[];
  log: readonly LogChunk[];
  /** Replace an entry stored under the key (`--force`, or one found corrupt) instead of keeping it. */
  replace?: boolean;
}

/** What pruning removed. */
export interface PruneResult {
  removed: number;
  freedBytes: number;
  keptBytes: number;
  /** False when another process was pruning (nothing done). */
  pruned: boolean;
}

/**
 * Where stage results are kept. The local store keeps them under the runs directory; a shared
 * store (for workers on other machines) implements the same five operations.
 */
export interface CacheStore {
  has(key: string): Promise<boolean>;
  /** The entry of `key`, or null; throws CacheEntryError when it exists but cannot be read. */
  get(key: string): Promise<CacheEntry | null>;
  /** Stores a success; `exists` when another run stored the same key first. */
  put(request: CachePutRequest): Promise<"stored" | "exists">;
  list(): Promise<CacheListEntry[]>;
  /** Removes entries, least recently used first, until at most `maxSize` bytes are kept. */
  prune(options: { maxSize: number; wait?: boolean }): Promise<PruneResult>;
  /**
   * Claims the running of a stage of `key` among the runs of this machine, waiting while another
   * process holds it (stage-claim.ts). A store shared between machines has none: each worker runs
   * in a checkout of its own.
   */
  claim?(key: string, options: ClaimOptions): Promise<StageClaim>;
  /** The latest entry stored or reused for a stage (what `plan` compares with), or null. */
  latestFor(stage: {
    task_id: string;
    pipeline_id: string;
    stage_id: string;
  }): Promise<CacheEntryMeta | null>;
}

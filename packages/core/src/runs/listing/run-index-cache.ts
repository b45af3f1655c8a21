import fs from "node:fs";
import path from "node:path";
import { appendTextSync, writeFileAtomic } from "@codex/orchestrator-persistence";
import type { RunListEntry } from "@codex/orchestrator-schema";

/** `<runs>/.run-index/`: one NDJSON shard per day of run ids (docs/decisions/0019). */
export const RUN_INDEX_DIR = ".run-index";
// The single-file index of earlier versions; removed once the shards are written.
const LEGACY_INDEX_FILE = ".run-index.json";
// A shard is rewritten with one line per run once it holds this many superseded lines.
const COMPACT_AFTER_EXTRA_LINES = 64;

/** One cached row: the `runs` row and the size and mtime of the manifest it was read from. */
export interface CachedRow {
  key: string;
  mtimeMs: number;
  size: number;
  run: RunListEntry;
}

interface Shard {
  rows: Map<string, CachedRow>;
  lines: number;
  appended: CachedRow[];
  /** The file ends in a torn line: the next append starts a line of its own. */
  torn: boolean;
}

// Every row was built from a manifest that passed the schema; on the way back only the shape the
// listing relies on is checked. A line that fails (a torn append, an edit) is ignored and rebuilt.
function isCachedRow(value: unknown): value is CachedRow {
  const entry = value as Partial<CachedRow> | null;
  const run = entry?.run as Partial<RunListEntry> | null | undefined;
  return (
    typeof entry?.key === "string" &&
    typeof entry.mtimeMs === "number" &&
    typeof entry.size === "number" &&
    typeof run === "object" &&
    run !== null &&
    typeof run.run_id === "string" &&
    typeof run.task_id === "string" &&
    typeof run.pipeline_id === "string" &&
    typeof run.status === "string" &&
    typeof run.started_at === "string" &&
    typeof run.manifest === "string"
  );
}

/**
 * The run index: rows of runs that are no longer running, in append-only shards named after the day
 * in their run ids. A listing walks run ids newest first and loads a day's shard only when it gets
 * there, so the newest runs are listed without reading anything about the oldest. A row is used only
 * while its manifest keeps the size and mtime it was read at (a resumed run is read again). The index
 * is never the only copy of anything: a missing or damaged shard is rebuilt from the manifests.
 */
export class RunIndexCache {
  readonly directory: string;
  readonly #runsDir: string;
  readonly #shards = new Map<string, Shard>();

  constructor(runsDir: string) {
    this.#runsDir = runsDir;
    this.directory = path.join(runsDir, RUN_INDEX_DIR);
  }

  /** The cached row of a run, or undefined. */
  get(taskId: string, runId: string): CachedRow | undefined {
    return this.#shard(runId).rows.get(`${taskId}/${runId}`);
  }

  /** Remembers a row; written by {@link flush}. */
  put(row: CachedRow): void {
    const shard = this.#shard(row.run.run_id);
    shard.rows.set(row.key, row);
    shard.appended.push(row);
  }

  /** Appends the new rows, one write per shard, and compacts shards full of superseded lines. */
  flush(): void {
    for (const [name, shard] of this.#shards) {
      if (shard.appended.length === 0) continue;
      const file = path.join(this.directory, `${name}.ndjson`);
      try {
        fs.mkdirSync(this.directory, { recursive: true });
        const lines = shard.lines + shard.appended.length;
        if (lines > shard.rows.size + COMPACT_AFTER_EXTRA_LINES) {
          writeFileAtomic(file, toLines([...shard.rows.values()]));
          shard.lines = shard.rows.size;
          shard.torn = false;
        } else {
          appendTextSync(file, (shard.torn ? "\n" : "") + toLines(shard.appended));
          shard.torn = false;
          shard.lines = lines;
        }
        shard.appended = [];
      } catch {
        // The index is an optimisation; a read-only runs directory still lists correctly.
        return;
      }
    }
    try {
      fs.rmSync(path.join(this.#runsDir, LEGACY_INDEX_FILE), { force: true });
    } catch {
      // Only a cache; left for the next listing to remove.
    }
  }

  #shard(runId: string): Shard {
    const name = shardName(runId);
    let shard = this.#shards.get(name);
    if (shard === undefined) {
      shard = loadShard(path.join(this.directory, `${name}.ndjson`));
      this.#shards.set(name, shard);
    }
    return shard;
  }
}

// Run ids begin with their UTC day; ids in another form share one shard. A shape check, not a date
// parse: it runs once per run listed.
const DAY_PREFIX = /^\d{4}-\d{2}-\d{2}T/;

function shardName(runId: string): string {
  return DAY_PREFIX.test(runId) ? runId.slice(0, 10) : "other";
}

function toLines(rows: readonly CachedRow[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join("");
}

function loadShard(file: string): Shard {
  const shard: Shard = { rows: new Map(), lines: 0, appended: [], torn: false };
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return shard;
  }
  shard.torn = text !== "" && !text.endsWith("\n");
  // The last line of a run wins: a row is appended again when its run changed.
  for (const value of parseLines(text, shard)) if (isCachedRow(value)) shard.rows.set(value.key, value);
  return shard;
}

// A shard's lines as values: parsed as one JSON array when every line is whole (one call instead of
// one per run), else line by line, leaving out the torn or edited ones (their runs are read again).
function parseLines(text: string, shard: Shard): unknown[] {
  const lines = text.split("\n").filter((line) => line !== "");
  shard.lines = lines.length;
  try {
    return JSON.parse(`[${lines.join(",")}]`) as unknown[];
  } catch {
    const values: unknown[] = [];
    for (const line of lines) {
      try {
        values.push(JSON.parse(line));
      } catch {
        // Left out.
      }
    }
    return values;
  }
}

import { CodexOrchestrator } from "@codex/orchestrator-core";
import { parseSize, type CacheListEntry } from "@codex/orchestrator-schema";
import { openCacheStore, type ChosenCacheStore } from "../run/cache-store-choice.js";
import { UsageError } from "../errors.js";
import { printJson } from "../terminal.js";
import { rootOptions } from "../usage/root-option.js";

/**
 * `cache ls` and `cache prune [--max-size <size>]`: the stage cache under the runs directory, or
 * the shared one in Redis when the executor is `bullmq` (docs/cache.md).
 */
export async function runCache(argv: {
  action?: string | undefined;
  maxSize?: string | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  // Checked before anything is read, so a bad value changes nothing.
  const maxSize = argv.maxSize === undefined ? undefined : parseMaxSize(argv.maxSize);
  if (argv.action === "ls" && maxSize !== undefined)
    throw new UsageError("--max-size belongs to `cache prune`, not `cache ls`");
  const orchestrator = new CodexOrchestrator(rootOptions(argv));
  const chosen = await openCacheStore(orchestrator);
  try {
    return await act(argv, chosen, maxSize ?? orchestrator.cacheMaxSize);
  } finally {
    chosen.close();
  }
}

async function act(
  argv: { action?: string | undefined; format: string },
  { store, where }: ChosenCacheStore,
  limit: number,
): Promise<number> {
  if (argv.action === "ls") {
    const entries = await store.list();
    if (argv.format === "json") printJson(entries);
    else process.stdout.write(renderEntries(entries, where));
    return 0;
  }
  const result = await store.prune({ maxSize: limit, wait: true });
  if (argv.format === "json")
    printJson({
      removed: result.removed,
      freed_bytes: result.freedBytes,
      kept_bytes: result.keptBytes,
      max_size_bytes: limit,
      pruned: result.pruned,
    });
  else if (!result.pruned) process.stdout.write("Another process is pruning the cache; nothing removed.\n");
  else
    process.stdout.write(
      `Removed ${result.removed} ${result.removed === 1 ? "entry" : "entries"} (${formatBytes(result.freedBytes)}); ${formatBytes(result.keptBytes)} kept, limit ${formatBytes(limit)}.\n`,
    );
  return 0;
}

function parseMaxSize(value: string): number {
  const bytes = parseSize(value);
  if (bytes === null)
    throw new UsageError(
      `--max-size: "${value}" is not a size (bytes, or a number with B, KB, MB, GB, KiB, MiB, GiB)`,
    );
  return bytes;
}

function renderEntries(entries: readonly CacheListEntry[], directory: string): string {
  if (entries.length === 0) return `The stage cache is empty (${directory}).\n`;
  const total = entries.reduce((sum, entry) => sum + entry.size_bytes, 0);
  const lines = entries.map((entry) => {
    const key = entry.key.slice("sha256:".length, "sha256:".length + 12);
    const stage = entry.readable
      ? `${entry.task_id}/${entry.pipeline_id}/${entry.stage_id}`
      : "(unreadable: cache prune removes it)";
    const from = entry.run_id === null ? "" : ` from run ${entry.run_id}`;
    return `${key}  ${stage}${from}  last used ${entry.last_used_at}  ${entry.files} files, ${formatBytes(entry.size_bytes)}`;
  });
  return `${lines.join("\n")}\n${entries.length} ${entries.length === 1 ? "entry" : "entries"}, ${formatBytes(total)} in ${directory}\n`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

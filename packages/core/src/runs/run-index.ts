import fs from "node:fs";
import path from "node:path";
import {
  assertRunFolderContained,
  compareAscii,
  listRunIds,
  listTaskIds,
  readTextIfExists,
  runIdTime,
  writeJsonAtomic,
  type FoundRun,
  type OrchestratorLocations,
} from "@codex/orchestrator-persistence";
import {
  normalizeLegacyManifest,
  safeParseManifest,
  type Manifest,
  type RunListEntry,
  type RunStatus,
} from "@codex/orchestrator-schema";

/** Filters for {@link listRuns}; every one optional. */
export interface RunFilter {
  taskId?: string;
  /** `unreadable` lists only the runs whose manifest cannot be read. */
  status?: RunStatus | "unreadable";
  pipelineId?: string;
  parentRunId?: string;
  /** Only runs started at or after this time. */
  since?: Date;
  limit?: number;
}

const INDEX_FILE = ".run-index.json";

interface IndexEntry {
  mtimeMs: number;
  size: number;
  run: RunListEntry;
}

interface IndexFile {
  version: 1;
  entries: Record<string, IndexEntry>;
}

// Every row was validated (from a manifest that passed the schema) when it was written; on the way
// back only the shape the listing relies on is checked, because parsing 10,000 rows with the schema
// on every `runs` call would cost more than the listing itself. A row that fails is rebuilt.
function isIndexEntry(value: unknown): value is IndexEntry {
  const entry = value as Partial<IndexEntry> | null;
  const run = entry?.run as Partial<RunListEntry> | null | undefined;
  return (
    typeof entry?.mtimeMs === "number" &&
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

function loadIndex(file: string): IndexFile {
  const index: IndexFile = { version: 1, entries: {} };
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as {
      version?: unknown;
      entries?: unknown;
    } | null;
    if (parsed?.version !== 1 || typeof parsed.entries !== "object" || parsed.entries === null) return index;
    for (const [key, entry] of Object.entries(parsed.entries))
      if (isIndexEntry(entry)) index.entries[key] = entry;
  } catch {
    // Missing or corrupt: rebuilt below from the manifests, which are the only source of truth.
  }
  return index;
}

function rowFor(manifest: Manifest, manifestPath: string): RunListEntry {
  const end = manifest.completed_at === null ? null : Date.parse(manifest.completed_at);
  const lines = manifest.summary.split("\n");
  return {
    run_id: manifest.run_id,
    task_id: manifest.task_id,
    pipeline_id: manifest.pipeline_id,
    parent_run_id: manifest.parent_run_id,
    status: manifest.status,
    started_at: manifest.started_at,
    completed_at: manifest.completed_at,
    duration_seconds:
      end === null ? null : Math.max(0, Math.round((end - Date.parse(manifest.started_at)) / 10) / 100),
    guardrails: lines[lines.length - 1] ?? "",
    approvals: manifest.approvals.length,
    manifest: manifestPath,
    commit: manifest.provenance?.git?.commit ?? null,
  };
}

function readListedManifest(
  file: string,
  display: string,
): { ok: true; manifest: Manifest } | { ok: false; reason: string } {
  let value: unknown;
  try {
    // No link at the manifest is followed: `runs` never shows a file from elsewhere.
    value = JSON.parse(readTextIfExists(file, { followLinks: false }) ?? "");
  } catch (error) {
    return { ok: false, reason: `${display}: not readable JSON (${(error as Error).message})` };
  }
  const parsed = safeParseManifest(normalizeLegacyManifest(value), { source: display });
  return parsed.ok ? { ok: true, manifest: parsed.value } : { ok: false, reason: parsed.error.message };
}

function unreadableRow(options: {
  taskId: string;
  runId: string;
  manifest: string;
  reason: string;
}): RunListEntry {
  return {
    run_id: options.runId,
    task_id: options.taskId,
    pipeline_id: null,
    parent_run_id: null,
    status: "unreadable",
    reason: options.reason,
    started_at: runIdTime(options.runId)?.toISOString() ?? "",
    completed_at: null,
    duration_seconds: null,
    guardrails: "",
    approvals: 0,
    manifest: options.manifest,
  };
}

/**
 * Lists runs across every task, newest first; a run whose manifest cannot be read is listed with
 * status `unreadable` and the reason. A cache (`<runs>/.run-index.json`) keeps one row per
 * manifest keyed by its size and mtime, so a listing reads only manifests that changed; the cache
 * is rebuilt on its own when missing, stale or corrupt and is never the only copy of anything.
 */
export function listRuns(locations: OrchestratorLocations, filter: RunFilter = {}): RunListEntry[] {
  const indexPath = path.join(locations.runsDir, INDEX_FILE);
  const index = loadIndex(indexPath);
  const seen = new Set<string>();
  let changed = false;
  const rows: RunListEntry[] = [];
  const sinceMs = filter.since?.getTime();
  const tasks = filter.taskId === undefined ? listTaskIds(locations) : [filter.taskId];
  for (const taskId of tasks) {
    for (const runId of listRunIds(locations, taskId)) {
      const key = `${taskId}/${runId}`;
      if (sinceMs !== undefined) {
        const startedAt = runIdTime(runId);
        if (startedAt !== null && startedAt.getTime() < sinceMs) {
          if (index.entries[key] !== undefined) seen.add(key);
          continue;
        }
      }
      const manifestFile = path.join(locations.runsDir, taskId, "cli", runId, "manifest.json");
      let stat: fs.Stats;
      try {
        stat = fs.statSync(manifestFile);
      } catch {
        continue;
      }
      seen.add(key);
      const cached = index.entries[key];
      let row: RunListEntry;
      if (cached !== undefined && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
        row = cached.run;
      } else {
        const relative = path.relative(locations.root, manifestFile).split(path.sep).join("/");
        const parsed = readListedManifest(manifestFile, relative);
        if (!parsed.ok) {
          // Never dropped silently: listed with the reason, and not cached, so a repair shows at once.
          rows.push(unreadableRow({ taskId, runId, manifest: relative, reason: parsed.reason }));
          continue;
        }
        row = rowFor(parsed.manifest, relative);
        index.entries[key] = { mtimeMs: stat.mtimeMs, size: stat.size, run: row };
        changed = true;
      }
      rows.push(row);
    }
  }
  if (filter.taskId === undefined) {
    for (const key of Object.keys(index.entries)) {
      if (!seen.has(key)) {
        delete index.entries[key];
        changed = true;
      }
    }
  }
  if (changed) {
    try {
      writeJsonAtomic(indexPath, index);
    } catch {
      // The cache is an optimisation; a read-only runs dir still lists correctly.
    }
  }
  const filtered = rows.filter(
    (row) =>
      (filter.status === undefined || row.status === filter.status) &&
      (row.status !== "unreadable" ||
        (filter.pipelineId === undefined && filter.parentRunId === undefined)) &&
      (filter.pipelineId === undefined || row.pipeline_id === filter.pipelineId) &&
      (filter.parentRunId === undefined || row.parent_run_id === filter.parentRunId) &&
      (sinceMs === undefined || Date.parse(row.started_at) >= sinceMs),
  );
  filtered.sort(
    (left, right) =>
      compareAscii(right.started_at, left.started_at) || compareAscii(right.run_id, left.run_id),
  );
  return filter.limit === undefined ? filtered : filtered.slice(0, filter.limit);
}

/** The newest run (of a task, or of all), by run id alone: no manifest is read. */
export function findLatestRun(locations: OrchestratorLocations, taskId?: string): FoundRun | null {
  let best: FoundRun | null = null;
  for (const task of taskId === undefined ? listTaskIds(locations) : [taskId]) {
    const runIds = listRunIds(locations, task);
    for (let position = runIds.length - 1; position >= 0; position -= 1) {
      const runId = runIds[position] as string;
      const runDir = path.join(locations.runsDir, task, "cli", runId);
      const manifest = path.join(runDir, "manifest.json");
      if (!fs.existsSync(manifest)) continue;
      if (best === null || runId > best.runId) best = { taskId: task, runId, runDir, manifest };
      break;
    }
  }
  // Like findRunById: links planted inside the folder are refused before anyone uses it.
  if (best !== null) assertRunFolderContained(best.runDir);
  return best;
}

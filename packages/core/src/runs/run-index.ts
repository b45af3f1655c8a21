import fs from "node:fs";
import path from "node:path";
import {
  assertRunFolderContained,
  runIdTime,
  type FoundRun,
  type OrchestratorLocations,
} from "@codex/orchestrator-persistence";
import type { RunListEntry, RunStatus } from "@codex/orchestrator-schema";
import { RunIndexCache } from "./listing/run-index-cache.js";
import { newestRuns, type RunRef } from "./listing/newest-runs.js";
import { readListedManifest, rowFor, unreadableRow } from "./listing/run-row.js";

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
  /** List child runs (nested runs of another run) too; without it only top-level runs are listed. */
  includeChildren?: boolean;
}

// Rows of runs still running change with every event: read from the manifest each time, never cached.
const RUNNING: readonly string[] = ["in_progress", "queued"];

/** Reads one run's row (the index first); null when the folder has no manifest (yet). */
class RowReader {
  readonly #locations: OrchestratorLocations;
  readonly cache: RunIndexCache;

  constructor(locations: OrchestratorLocations) {
    this.#locations = locations;
    this.cache = new RunIndexCache(locations.runsDir);
  }

  read({ taskId, runId }: RunRef): RunListEntry | null {
    const manifestFile = path.join(this.#locations.runsDir, taskId, "cli", runId, "manifest.json");
    let stat: fs.Stats | undefined;
    try {
      // No exception for a missing file (a listing stats every run it reads); other errors throw.
      stat = fs.statSync(manifestFile, { throwIfNoEntry: false });
    } catch {
      return null;
    }
    if (stat === undefined) return null;
    const cached = this.cache.get(taskId, runId);
    if (cached !== undefined && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size)
      return cached.run;
    const relative = path.relative(this.#locations.root, manifestFile).split(path.sep).join("/");
    const parsed = readListedManifest(manifestFile, relative);
    // Never dropped silently: listed with the reason, and not cached, so a repair shows at once.
    if (!parsed.ok) return unreadableRow({ taskId, runId, manifest: relative, reason: parsed.reason });
    const row = rowFor(parsed.manifest, relative);
    if (!RUNNING.includes(row.status))
      this.cache.put({ key: `${taskId}/${runId}`, mtimeMs: stat.mtimeMs, size: stat.size, run: row });
    return row;
  }
}

/**
 * Lists runs across every task, newest first by run id; a run whose manifest cannot be read is
 * listed with status `unreadable` and the reason. Child runs are left out unless asked for. Runs are
 * walked newest first and read only until `limit` rows match, each through the run index
 * (`<runs>/.run-index/`, docs/decisions/0019-run-index-shards.md).
 */
export function listRuns(locations: OrchestratorLocations, filter: RunFilter = {}): RunListEntry[] {
  const reader = new RowReader(locations);
  const sinceMs = filter.since?.getTime();
  const includeChildren = filter.includeChildren === true || filter.parentRunId !== undefined;
  const rows: RunListEntry[] = [];
  for (const ref of newestRuns(locations, filter.taskId === undefined ? undefined : [filter.taskId])) {
    if (filter.limit !== undefined && rows.length >= filter.limit) break;
    // Ids carry their start time: older runs are skipped before anything is read.
    if (sinceMs !== undefined && (runIdTime(ref.runId)?.getTime() ?? sinceMs) < sinceMs) continue;
    const row = reader.read(ref);
    if (row === null) continue;
    const unreadable = row.status === "unreadable";
    if (
      (filter.status === undefined || row.status === filter.status) &&
      (!unreadable || (filter.pipelineId === undefined && filter.parentRunId === undefined)) &&
      (filter.pipelineId === undefined || row.pipeline_id === filter.pipelineId) &&
      (filter.parentRunId === undefined || row.parent_run_id === filter.parentRunId) &&
      (includeChildren || row.parent_run_id === null) &&
      (sinceMs === undefined || unreadable || Date.parse(row.started_at) >= sinceMs)
    )
      rows.push(row);
  }
  reader.cache.flush();
  return rows;
}

/**
 * The newest run (of a task, or of all). Child runs are passed over unless `includeChildren`: the
 * newest run then is the one a person started, not a stage's nested run.
 */
export function findLatestRun(
  locations: OrchestratorLocations,
  taskId?: string,
  options: { includeChildren?: boolean } = {},
): FoundRun | null {
  const reader = new RowReader(locations);
  let best: FoundRun | null = null;
  for (const ref of newestRuns(locations, taskId === undefined ? undefined : [taskId])) {
    const runDir = path.join(locations.runsDir, ref.taskId, "cli", ref.runId);
    const manifest = path.join(runDir, "manifest.json");
    if (!fs.existsSync(manifest)) continue;
    if (options.includeChildren !== true && reader.read(ref)?.parent_run_id) continue;
    best = { taskId: ref.taskId, runId: ref.runId, runDir, manifest };
    break;
  }
  reader.cache.flush();
  // Like findRunById: links planted inside the folder are refused before anyone uses it.
  if (best !== null) assertRunFolderContained(best.runDir);
  return best;
}

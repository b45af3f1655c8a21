import fs from "node:fs";
import { StateSnapshot, type RunSummary } from "@codex/orchestrator-schema";
import { withLock } from "./file-lock.js";
import { compareAscii } from "./ordering.js";
import { readTextIfExists, type TextTransform, writeJsonAtomic } from "./safe-fs.js";

/** Options for {@link updateStateSnapshot}. */
export interface UpdateStateSnapshotOptions {
  /** `<out>/<task>/state.json`; its directory must exist. */
  statePath: string;
  taskId: string;
  summary: RunSummary;
  /** Keep at most this many runs, newest last (default 1000). */
  maxRuns?: number;
  transform?: TextTransform;
}

/**
 * Adds or replaces one run's summary in the task's state snapshot, under a lock so concurrent
 * runs of one task never lose each other's entries. An unreadable snapshot is set aside as
 * `state.json.corrupt-<time>` and rebuilt rather than blocking the run.
 */
export function updateStateSnapshot(options: UpdateStateSnapshotOptions): StateSnapshot {
  const maxRuns = options.maxRuns ?? 1000;
  return withLock(
    `${options.statePath}.lock`,
    () => {
      const current = readSnapshot(options.statePath, options.taskId);
      const runs = current.runs.filter((run) => run.run_id !== options.summary.run_id);
      runs.push(options.summary);
      runs.sort((left, right) => compareAscii(left.run_id, right.run_id));
      const next: StateSnapshot = {
        taskId: options.taskId,
        lastRunAt: options.summary.completed_at ?? options.summary.started_at,
        runs: runs.slice(-maxRuns),
      };
      writeJsonAtomic(
        options.statePath,
        next,
        options.transform === undefined ? {} : { transform: options.transform },
      );
      return next;
    },
    { purpose: "state snapshot" },
  );
}

function readSnapshot(statePath: string, taskId: string): StateSnapshot {
  const empty: StateSnapshot = { taskId, lastRunAt: null, runs: [] };
  const text = readTextIfExists(statePath);
  if (text === null) return empty;
  try {
    const parsed = StateSnapshot.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Fall through: set the bad file aside.
  }
  fs.renameSync(statePath, `${statePath}.corrupt-${Date.now()}`);
  return empty;
}

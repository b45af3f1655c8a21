import fs from "node:fs";
import { StateSnapshot, type RunSummary, type StateRunEntry } from "@codex/orchestrator-schema";
import { withLock } from "./file-lock.js";
import { compareAscii } from "./ordering.js";
import { readTextIfExists, writeJsonAtomic } from "./safe-fs.js";
import { stateEntryRunId, stateEntryTime, toStateRunEntry } from "./state-run-entry.js";

/** Options for {@link updateStateSnapshot}. */
export interface UpdateStateSnapshotOptions {
  /** `<out>/<task>/state.json`; its directory must exist. */
  statePath: string;
  taskId: string;
  /** The finished run; stored compacted ({@link toStateRunEntry}). */
  summary: RunSummary;
  /** Keep at most this many runs, newest last (default: every run). */
  maxRuns?: number;
}

/**
 * Adds or replaces one run's entry in the task's state snapshot, under a lock so concurrent runs
 * of one task never lose each other's entries. Every other entry is kept as found, the original
 * CLI's included; entries are ordered by their `timestamp` as the original orders them, and
 * `lastRunAt` never goes backwards. A file that is not a snapshot at all (not JSON, no `runs` list)
 * is set aside as `state.json.corrupt-<time>` and rebuilt rather than blocking the run.
 */
export function updateStateSnapshot(options: UpdateStateSnapshotOptions): StateSnapshot {
  return withLock(
    `${options.statePath}.lock`,
    () => {
      const current = readSnapshot(options.statePath, options.taskId);
      const entry: StateRunEntry = toStateRunEntry(options.summary);
      const runs: Array<Record<string, unknown>> = current.runs.filter(
        (run) => stateEntryRunId(run) !== entry.run_id,
      );
      runs.push(entry);
      runs.sort(
        (left, right) =>
          compareAscii(stateEntryTime(left), stateEntryTime(right)) ||
          compareAscii(stateEntryRunId(left) ?? "", stateEntryRunId(right) ?? ""),
      );
      const kept = options.maxRuns === undefined ? runs : runs.slice(-options.maxRuns);
      const newest = stateEntryTime(kept[kept.length - 1] ?? entry);
      const previous = current.lastRunAt ?? "";
      const next: StateSnapshot = {
        ...current,
        taskId: current.taskId,
        lastRunAt: compareAscii(newest, previous) >= 0 ? newest : previous,
        runs: kept,
      };
      writeJsonAtomic(options.statePath, next);
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

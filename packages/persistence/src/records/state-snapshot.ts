import fs from "node:fs";
import { StateSnapshot, type RunSummary, type StateRunEntry } from "@codex/orchestrator-schema";
import { withLock } from "../locks/file-lock.js";
import { compareAscii } from "../files/ordering.js";
import { readTextIfExists, writeFileAtomic, writeJsonAtomic } from "../files/safe-fs.js";
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
export function updateStateSnapshot(options: UpdateStateSnapshotOptions): void {
  withLock(
    `${options.statePath}.lock`,
    () => {
      const entry: StateRunEntry = toStateRunEntry(options.summary);
      const text = readTextIfExists(options.statePath, { followLinks: false });
      const appended = text === null || options.maxRuns !== undefined ? null : appendNewestEntry(text, entry);
      if (appended !== null) {
        writeFileAtomic(options.statePath, appended);
        return;
      }
      const current = readSnapshot(options.statePath, text, options.taskId);
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
    },
    { purpose: "state snapshot" },
  );
}

function readSnapshot(statePath: string, text: string | null, taskId: string): StateSnapshot {
  const empty: StateSnapshot = { taskId, lastRunAt: null, runs: [] };
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

// The layout writeJsonAtomic gives a snapshot whose last key is a non-empty `runs`.
const RUNS_END = "\n    }\n  ]\n}\n";
const LAST_ENTRY_START = "\n    {\n";
const LAST_RUN_AT = /\n {2}"lastRunAt": ("(?:[^"\\]|\\.)*"|null),\n/;

/**
 * The common case, at a cost that does not grow with the history: the snapshot is as this code last
 * wrote it, and the run is newer than every entry and not in it yet. Its entry is then added before
 * the closing bracket and `lastRunAt` moved forward, without parsing the other entries (they stay as
 * found); for a snapshot in time order the text is exactly what writing it whole would give. Null
 * when any of that does not hold: the whole snapshot is then read, sorted and written.
 */
function appendNewestEntry(text: string, entry: StateRunEntry): string | null {
  if (!text.endsWith(RUNS_END) || text.includes(JSON.stringify(entry.run_id))) return null;
  const runsStart = text.indexOf('\n  "runs": [\n');
  const lastStart = text.lastIndexOf(LAST_ENTRY_START);
  if (runsStart === -1 || lastStart < runsStart) return null;
  const head = text.slice(0, runsStart + 1);
  const lastRunAt = LAST_RUN_AT.exec(head);
  let last: unknown;
  let previous: unknown;
  try {
    last = JSON.parse(text.slice(lastStart + 1, text.length - RUNS_END.length + "\n    }".length));
    previous = lastRunAt === null ? undefined : JSON.parse(lastRunAt[1] as string);
  } catch {
    return null;
  }
  if (last === null || typeof last !== "object" || (previous !== null && typeof previous !== "string"))
    return null;
  const time = stateEntryTime(entry);
  const lastEntry = last as Record<string, unknown>;
  const order =
    compareAscii(stateEntryTime(lastEntry), time) ||
    compareAscii(stateEntryRunId(lastEntry) ?? "", entry.run_id);
  if (order > 0 || lastRunAt === null) return null;
  const newest = compareAscii(time, previous ?? "") >= 0 ? time : (previous as string);
  const indented = JSON.stringify(entry, null, 2).replaceAll("\n", "\n    ");
  return (
    head.replace(LAST_RUN_AT, `\n  "lastRunAt": ${JSON.stringify(newest)},\n`) +
    text.slice(runsStart + 1, text.length - RUNS_END.length) +
    `\n    },\n    ${indented}\n  ]\n}\n`
  );
}

import { readStateEvents } from "../record/run-log.js";
import { canScanProcesses, stopLeftovers } from "../process/leftover-processes.js";

/** An attempt the log shows started and never ended: its orchestrator died while it ran. */
export interface UnfinishedAttempt {
  index: number;
  attempt: number;
  marker: string;
}

/** What {@link stopUnfinishedAttempts} found and stopped. */
export interface UnfinishedAttemptsReport {
  /** Attempts with a marker whose `command:start` has no `command:end`. */
  attempts: UnfinishedAttempt[];
  /** Their processes that were still running and were stopped. */
  stopped: number;
}

/**
 * The attempts of a run's log (runner.ndjson) that have a `command:start` with a marker and no
 * `command:end`. Logs written before markers existed have none.
 */
export function findUnfinishedAttempts(runnerLog: string): UnfinishedAttempt[] {
  const open = new Map<string, UnfinishedAttempt>();
  for (const event of readStateEvents(runnerLog)) {
    if (event.type !== "command:start" && event.type !== "command:end") continue;
    if (event.index === null || event.attempt === undefined) continue;
    const key = `${event.index}/${event.attempt}`;
    if (event.type === "command:end") open.delete(key);
    else if (typeof event.marker === "string")
      open.set(key, { index: event.index, attempt: event.attempt, marker: event.marker });
  }
  return [...open.values()];
}

/**
 * Stops what is still running of the attempts a killed orchestrator left unfinished, so that a
 * resumed stage never runs beside its orphaned copy: SIGTERM, then SIGKILL after the grace. Found
 * by marker only (Linux): a recorded process group may long since belong to someone else.
 */
export async function stopUnfinishedAttempts(
  runnerLog: string,
  killGraceMs: number,
): Promise<UnfinishedAttemptsReport> {
  let attempts: UnfinishedAttempt[];
  try {
    attempts = findUnfinishedAttempts(runnerLog);
  } catch {
    // No log (a run folder from the original CLI): nothing was recorded as running.
    return { attempts: [], stopped: 0 };
  }
  if (attempts.length === 0 || !canScanProcesses()) return { attempts, stopped: 0 };
  const reports = await Promise.all(
    attempts.map((attempt) => stopLeftovers({ marker: attempt.marker, processGroup: null, killGraceMs })),
  );
  return { attempts, stopped: reports.reduce((sum, report) => sum + report.stopped, 0) };
}

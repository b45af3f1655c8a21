import type { RunSummary, StateRunEntry } from "@codex/orchestrator-schema";

/**
 * The `state.json` entry of a run: its summary without the per-stage lists (`commands`,
 * `plan.items`) and the multi-line `summary`, which stay in the run's own `run-summary.json`. The
 * snapshot then grows by one small entry per run, so rewriting it costs little with a long history.
 */
export function toStateRunEntry(summary: RunSummary): StateRunEntry {
  const { commands: _commands, summary: _summary, plan, ...rest } = summary;
  return { ...rest, plan: { ...plan, items: [] } };
}

/** The run id of a state entry, ours (`run_id`) or the original CLI's (`runId`); null when neither. */
export function stateEntryRunId(entry: Record<string, unknown>): string | null {
  const id = entry.run_id ?? entry.runId;
  return typeof id === "string" && id !== "" ? id : null;
}

/**
 * When a state entry happened, for ordering: the original CLI's `timestamp` (ours carry it too),
 * else our `completed_at` / `started_at`; "" when the entry says nothing.
 */
export function stateEntryTime(entry: Record<string, unknown>): string {
  for (const key of ["timestamp", "completed_at", "started_at"]) {
    const value = entry[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return "";
}

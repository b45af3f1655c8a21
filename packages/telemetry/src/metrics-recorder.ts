import { appendTextSync } from "@codex/orchestrator-persistence";
import type { Manifest, MetricsLine } from "@codex/orchestrator-schema";
import { summarizeGuardrails } from "./guardrail-summary.js";
import { durationSeconds } from "./run-summary.js";

/** The metrics line for a finished run (docs/contract.md §3.3). */
export function buildMetricsLine(manifest: Manifest, now: Date = new Date()): MetricsLine {
  return {
    run_id: manifest.run_id,
    task_id: manifest.task_id,
    pipeline_id: manifest.pipeline_id,
    status: manifest.status,
    started_at: manifest.started_at,
    completed_at: manifest.completed_at,
    duration_seconds: durationSeconds(manifest.started_at, manifest.completed_at, now),
    commands_passed: manifest.commands.filter((entry) => entry.status === "succeeded").length,
    commands_failed: manifest.commands.filter((entry) => entry.status === "failed").length,
    // The original CLI's meaning, which its summaries count as guardrail coverage: a guardrail
    // stage succeeded in this run (not merely that one exists).
    guardrails_present: summarizeGuardrails(manifest.commands).passed > 0,
    recorded_at: now.toISOString(),
    artifact_path: manifest.artifact_root,
    child_runs: manifest.child_runs.length,
    approvals: manifest.approvals.length,
  };
}

/**
 * Appends one JSON line to the task's `metrics.json` per finished run (or finished resume).
 * Each line is one `O_APPEND` write, so concurrent runs of a task never tear each other's lines;
 * a finish is recorded at most once per recorder.
 */
export class MetricsRecorder {
  readonly #path: string;
  readonly #recorded = new Set<string>();

  constructor(options: { metricsPath: string }) {
    this.#path = options.metricsPath;
  }

  /** The metrics file. */
  get path(): string {
    return this.#path;
  }

  /** Records the manifest's finish; returns false when this finish was already recorded. */
  record(manifest: Manifest, now: Date = new Date()): boolean {
    const key = `${manifest.run_id}@${manifest.completed_at ?? manifest.updated_at}`;
    if (this.#recorded.has(key)) return false;
    appendTextSync(this.#path, `${JSON.stringify(buildMetricsLine(manifest, now))}\n`);
    this.#recorded.add(key);
    return true;
  }
}

import type { Manifest, RunSummary } from "@codex/orchestrator-schema";
import { describeReusedStages, summarizeGuardrails } from "./guardrail-summary.js";
import { buildOriginalRunSummaryFields } from "./original-run-summary.js";

/** Seconds between two timestamps (0 when the end is unknown). */
export function durationSeconds(
  startedAt: string,
  completedAt: string | null,
  now: Date = new Date(),
): number {
  const end = completedAt === null ? now.getTime() : Date.parse(completedAt);
  return Math.max(0, Math.round((end - Date.parse(startedAt)) / 10) / 100);
}

/**
 * The human-readable `manifest.summary`: what ran, what failed, gates and child runs, and last,
 * always, the guardrail line.
 */
export function buildSummaryText(manifest: Manifest): string {
  const lines: string[] = [];
  const detail = manifest.status_detail === null ? "" : ` (${manifest.status_detail})`;
  lines.push(
    `Pipeline ${manifest.pipeline_id} (${manifest.pipeline_title}) for task ${manifest.task_id}: ${manifest.status}${detail}.`,
  );
  const count = (status: string) => manifest.commands.filter((entry) => entry.status === status).length;
  lines.push(
    `Stages: ${count("succeeded")} succeeded, ${count("failed")} failed, ${count("skipped")} skipped, ${count("pending") + count("running")} not run, of ${manifest.commands.length}.`,
  );
  for (const entry of manifest.commands) {
    if (entry.status === "failed") {
      const how =
        entry.exit_code === null
          ? entry.signal
            ? `signal ${entry.signal}`
            : "no exit code"
          : `exit ${entry.exit_code}`;
      lines.push(`Failed: ${entry.id}: ${entry.summary ?? how}.`);
    } else if (entry.status === "skipped" && entry.exit_code !== null && entry.exit_code !== 0) {
      lines.push(`Allowed failure: ${entry.id} (exit ${entry.exit_code}).`);
    }
  }
  for (const approval of manifest.approvals) {
    lines.push(
      `Gate ${approval.stage_id}: ${approval.decision} by ${approval.actor}${approval.reason ? ` (${approval.reason})` : ""}.`,
    );
  }
  const decided = new Set(manifest.approvals.map((approval) => approval.stage_id));
  for (const entry of manifest.commands) {
    if (
      entry.kind === "manual" &&
      entry.status !== "succeeded" &&
      entry.status !== "failed" &&
      !decided.has(entry.id)
    ) {
      if (
        manifest.status === "awaiting_approval" &&
        manifest.status_detail === `approval:${entry.id}:pending`
      ) {
        lines.push(`Gate ${entry.id}: pending approval.`);
      }
    }
  }
  if (manifest.child_runs.length > 0) {
    const states = manifest.child_runs.map((child) => `${child.pipeline_id} ${child.status}`).join(", ");
    lines.push(`Child runs: ${manifest.child_runs.length} (${states}).`);
  }
  const reused = describeReusedStages(manifest.commands);
  if (reused !== null) lines.push(`Reused from the stage cache: ${reused}.`);
  lines.push(summarizeGuardrails(manifest.commands).line);
  return lines.join("\n");
}

/**
 * The TaskManager's run summary (`run-summary.json`; compacted, an entry of `state.json`), with the
 * original CLI's keys beside ours.
 */
export function buildRunSummary(manifest: Manifest, now: Date = new Date()): RunSummary {
  return {
    ...buildOriginalRunSummaryFields(manifest, now),
    run_id: manifest.run_id,
    task_id: manifest.task_id,
    pipeline_id: manifest.pipeline_id,
    parent_run_id: manifest.parent_run_id,
    status: manifest.status,
    status_detail: manifest.status_detail,
    started_at: manifest.started_at,
    completed_at: manifest.completed_at,
    duration_seconds: durationSeconds(manifest.started_at, manifest.completed_at, now),
    manifest: `${manifest.artifact_root}/manifest.json`,
    commands: manifest.commands.map((entry) => ({
      index: entry.index,
      id: entry.id,
      status: entry.status,
      exit_code: entry.exit_code,
    })),
    guardrails: summarizeGuardrails(manifest.commands),
    approvals: manifest.approvals.length,
    child_runs: manifest.child_runs.length,
    summary: manifest.summary,
    commit: manifest.provenance?.git?.commit ?? null,
  };
}

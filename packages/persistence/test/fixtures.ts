import type { Manifest, RunSummary } from "@codex/orchestrator-schema";
import { sampleManifest } from "../../../test/helpers/sample-manifest.js";

/** A valid run summary (schema `RunSummary`) for `runId`. */
export function runSummary(runId: string, overrides: Partial<RunSummary> = {}): RunSummary {
  const timestamp = overrides.completed_at ?? overrides.started_at ?? "2025-10-31T22:57:40.012Z";
  const manifestPath = `.runs/0101/cli/${runId}/manifest.json`;
  return {
    taskId: "0101",
    runId,
    mode: "mcp",
    plan: { items: [{ id: "diagnostics:build", description: "Build" }] },
    build: {
      subtaskId: "diagnostics:build",
      artifacts: [{ path: manifestPath, description: "CLI run manifest" }],
      mode: "mcp",
      runId,
      success: true,
    },
    test: { subtaskId: "diagnostics:build", success: false, reports: [], runId },
    review: { summary: "Diagnostics succeeded.", decision: { approved: true } },
    timestamp,
    run_id: runId,
    task_id: "0101",
    pipeline_id: "diagnostics",
    parent_run_id: null,
    status: "succeeded",
    status_detail: null,
    started_at: "2025-10-31T22:56:34.431Z",
    completed_at: "2025-10-31T22:57:40.012Z",
    duration_seconds: 65.58,
    manifest: `.runs/0101/cli/${runId}/manifest.json`,
    commands: [{ index: 1, id: "build", status: "succeeded", exit_code: 0 }],
    guardrails: {
      present: false,
      total: 0,
      passed: 0,
      failed: 0,
      status: "missing",
      line: "Guardrails: spec-guard command not found.",
    },
    approvals: 0,
    child_runs: 0,
    summary: "Guardrails: spec-guard command not found.",
    ...overrides,
  };
}

/** A valid manifest (schema `Manifest`) for `runId`. */
export function manifest(runId: string, overrides: Partial<Manifest> = {}): Manifest {
  return sampleManifest(runId, overrides);
}

import type { Manifest, RunSummary } from "@codex/orchestrator-schema";

/** A valid run summary (schema `RunSummary`) for `runId`. */
export function runSummary(runId: string, overrides: Partial<RunSummary> = {}): RunSummary {
  return {
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
  const root = `.runs/0101/cli/${runId}`;
  return {
    version: 1,
    task_id: "0101",
    task_slug: null,
    run_id: runId,
    parent_run_id: null,
    pipeline_id: "diagnostics",
    pipeline_title: "Diagnostics Pipeline",
    runner: "codex-cli",
    approval_policy: null,
    status: "in_progress",
    status_detail: null,
    started_at: "2025-10-31T22:56:34.431Z",
    updated_at: "2025-10-31T22:56:34.431Z",
    completed_at: null,
    heartbeat_at: null,
    heartbeat_interval_seconds: 5,
    heartbeat_stale_after_seconds: 30,
    artifact_root: root,
    compat_path: null,
    log_path: `${root}/runner.ndjson`,
    summary: "",
    metrics_recorded: false,
    resume_token: "0123456789abcdef",
    resume_events: [],
    approvals: [],
    commands: [],
    child_runs: [],
    run_summary_path: null,
    ...overrides,
  };
}

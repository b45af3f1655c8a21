// test/ is not a workspace package, so the bare specifier does not resolve from here.
import type { Manifest } from "../../packages/schema/src/index.js";

/**
 * A valid schema-version-1 manifest of an in-progress diagnostics run with no stages yet; tests
 * override what they care about. One definition, so fixtures follow the schema together.
 */
export function sampleManifest(runId: string, overrides: Partial<Manifest> = {}): Manifest {
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

import type { CommandEntry, Manifest } from "@codex/orchestrator-schema";

/** The run id every fixture uses. */
export const RUN_ID = "2025-10-31T22-56-34-431Z-9574035c";

/** A valid `commands[]` entry; `id` also makes the title. */
export function command(index: number, id: string, overrides: Partial<CommandEntry> = {}): CommandEntry {
  return {
    index,
    id,
    title: id,
    kind: "command",
    command: `npm run ${id}`,
    status: "succeeded",
    started_at: "2025-10-31T22:56:35.000Z",
    completed_at: "2025-10-31T22:56:40.000Z",
    exit_code: 0,
    summary: null,
    log_path: null,
    error_file: null,
    sub_run_id: null,
    ...overrides,
  };
}

/** The spec-guard stage of the diagnostics pipeline. */
export function specGuard(index: number, overrides: Partial<CommandEntry> = {}): CommandEntry {
  return command(index, "spec-guard", { command: "bash scripts/spec-guard.sh --dry-run", ...overrides });
}

/** A valid finished manifest (schema `Manifest`). */
export function manifest(overrides: Partial<Manifest> = {}): Manifest {
  const root = `.runs/0101/cli/${RUN_ID}`;
  return {
    version: 1,
    task_id: "0101",
    task_slug: null,
    run_id: RUN_ID,
    parent_run_id: null,
    pipeline_id: "diagnostics",
    pipeline_title: "Diagnostics Pipeline",
    runner: "codex-cli",
    approval_policy: null,
    status: "succeeded",
    status_detail: null,
    started_at: "2025-10-31T22:56:34.431Z",
    updated_at: "2025-10-31T22:57:40.012Z",
    completed_at: "2025-10-31T22:57:40.012Z",
    heartbeat_at: "2025-10-31T22:57:40.012Z",
    heartbeat_interval_seconds: 5,
    heartbeat_stale_after_seconds: 30,
    artifact_root: root,
    compat_path: `.runs/0101/mcp/${RUN_ID}/manifest.json`,
    log_path: `${root}/runner.ndjson`,
    summary: "",
    metrics_recorded: false,
    resume_token: "0123456789abcdef",
    resume_events: [],
    approvals: [],
    commands: [command(1, "build"), command(2, "lint"), command(3, "test"), specGuard(4)],
    child_runs: [],
    run_summary_path: null,
    ...overrides,
  };
}

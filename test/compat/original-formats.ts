// Files in the formats the original CLI (Kbediako/CO, orchestrator/src/cli) wrote and read, written
// here from its documented shapes, and small readers that look only at the keys its readers used.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** A resume token as the original made it: 32 random bytes in hex. */
export const ORIGINAL_TOKEN = "5e".repeat(32);

/** A run id of the original's form (UTC time with `:`/`.` as `-`, then 8 hex digits). */
export function originalRunId(minute: number, suffix = "0c0ffee0"): string {
  return `2025-10-01T10-${String(minute).padStart(2, "0")}-00-000Z-${suffix}`;
}

/** The ISO time of {@link originalRunId}, plus `seconds`. */
export function originalTime(minute: number, seconds = 0): string {
  return new Date(Date.UTC(2025, 9, 1, 10, minute, seconds)).toISOString();
}

/** One `commands[]` entry of an original manifest (command or subpipeline; no manual stages). */
export function originalCommand(
  index: number,
  id: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    index,
    id,
    title: `Stage ${id}`,
    command: `echo ${id}`,
    kind: "command",
    status: "pending",
    started_at: null,
    completed_at: null,
    exit_code: null,
    summary: null,
    log_path: null,
    error_file: null,
    ...extra,
  };
}

/** What an original run's manifest holds (schema version 1 as the original wrote it). */
export interface OriginalRunOptions {
  taskId?: string;
  runId: string;
  pipelineId: string;
  status: "queued" | "in_progress" | "succeeded" | "failed" | "cancelled";
  statusDetail?: string | null;
  startedAt: string;
  completedAt?: string | null;
  heartbeatAt?: string | null;
  parentRunId?: string | null;
  commands: Record<string, unknown>[];
  resumeEvents?: Record<string, unknown>[];
  childRuns?: Record<string, unknown>[];
  summary?: string | null;
  approvalPolicy?: string | null;
}

/** An original manifest: `summary` may be null, resume events lack `detail`, child runs lack `task_id`. */
export function originalManifest(options: OriginalRunOptions): Record<string, unknown> {
  const taskId = options.taskId ?? "0101";
  const runDir = `.runs/${taskId}/cli/${options.runId}`;
  return {
    version: 1,
    task_id: taskId,
    task_slug: null,
    run_id: options.runId,
    parent_run_id: options.parentRunId ?? null,
    pipeline_id: options.pipelineId,
    pipeline_title: `Pipeline ${options.pipelineId}`,
    runner: "codex-cli",
    approval_policy: options.approvalPolicy ?? null,
    status: options.status,
    status_detail: options.statusDetail ?? null,
    started_at: options.startedAt,
    completed_at: options.completedAt ?? null,
    updated_at: options.completedAt ?? options.heartbeatAt ?? options.startedAt,
    heartbeat_at: options.heartbeatAt ?? options.startedAt,
    heartbeat_interval_seconds: 5,
    heartbeat_stale_after_seconds: 30,
    artifact_root: runDir,
    compat_path: `.runs/${taskId}/mcp/${options.runId}`,
    log_path: `${runDir}/runner.ndjson`,
    summary: options.summary ?? null,
    metrics_recorded: options.completedAt !== undefined && options.completedAt !== null,
    resume_token: ORIGINAL_TOKEN,
    resume_events: options.resumeEvents ?? [],
    approvals: [],
    commands: options.commands,
    child_runs: options.childRuns ?? [],
    run_summary_path: null,
  };
}

/** Writes an original run folder (manifest, `.resume-token`, `.heartbeat`, runner log); returns the manifest path. */
export function writeOriginalRun(root: string, manifest: Record<string, unknown>): string {
  const runDir = path.join(root, String(manifest.artifact_root));
  mkdirSync(path.join(runDir, "commands"), { recursive: true });
  mkdirSync(path.join(runDir, "errors"), { recursive: true });
  const manifestPath = path.join(runDir, "manifest.json");
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  writeFileSync(path.join(runDir, ".resume-token"), `${String(manifest.resume_token)}\n`);
  writeFileSync(path.join(runDir, ".heartbeat"), `${String(manifest.heartbeat_at)}\n`);
  writeFileSync(
    path.join(runDir, "runner.ndjson"),
    `${JSON.stringify({ type: "command:start", command: "echo build", timestamp: manifest.started_at, index: 1 })}\n`,
  );
  return manifestPath;
}

/** An entry of the original's `state.json` (its RunSummary): none of our keys. */
export function originalStateEntry(
  runId: string,
  timestamp: string,
  success = true,
): Record<string, unknown> {
  return {
    taskId: "0101",
    runId,
    mode: "mcp",
    plan: { items: [{ id: "diagnostics:build", description: "Build", requires_cloud: false }] },
    build: {
      subtaskId: "diagnostics:build",
      artifacts: [{ path: `.runs/0101/cli/${runId}/manifest.json`, description: "CLI run manifest" }],
      mode: "mcp",
      runId,
      success,
    },
    test: {
      subtaskId: "diagnostics:build",
      success,
      reports: [{ name: "guardrails", status: success ? "passed" : "failed" }],
      runId,
    },
    review: { summary: "Diagnostics pipeline succeeded.", decision: { approved: success } },
    timestamp,
  };
}

/** A metrics line as the original appended it (no `approvals` count). */
export function originalMetricsLine(runId: string, status: string, guardrails: boolean): string {
  return JSON.stringify({
    run_id: runId,
    task_id: "0101",
    pipeline_id: "diagnostics",
    status,
    started_at: originalTime(1),
    completed_at: originalTime(1, 30),
    duration_seconds: 30,
    commands_passed: 3,
    commands_failed: status === "failed" ? 1 : 0,
    guardrails_present: guardrails,
    recorded_at: originalTime(1, 31),
    artifact_path: `.runs/0101/cli/${runId}`,
    child_runs: 0,
  });
}

interface OriginalSnapshot {
  taskId: string;
  lastRunAt: string;
  runs: Array<{ runId: string; timestamp: string }>;
}

/**
 * Adds a run to a state snapshot as the original state store does (it reads `taskId`, filters on
 * `runId`, sorts with `timestamp.localeCompare`, takes `lastRunAt` from the last entry); throws where
 * it would throw. Used to check that the original can go on writing the snapshot we wrote.
 */
export function recordRunAsOriginal(
  snapshotText: string,
  taskId: string,
  summary: { runId: string; timestamp: string },
): OriginalSnapshot {
  const parsed = JSON.parse(snapshotText) as OriginalSnapshot;
  if (!parsed || parsed.taskId !== taskId) throw new Error(`Invalid snapshot contents for task ${taskId}`);
  const runs = parsed.runs.filter((run) => run.runId !== summary.runId);
  runs.push(summary);
  runs.sort((left, right) => left.timestamp.localeCompare(right.timestamp));
  return { taskId, lastRunAt: runs[runs.length - 1]!.timestamp, runs };
}

/** Finds a task in `tasks/index.json` the way the original does (`items.find` by id). */
export function findTaskAsOriginal(
  indexText: string,
  taskId: string,
): { slug: string; title: string } | undefined {
  const data = JSON.parse(indexText) as { items: Array<{ id: string; slug: string; title: string }> };
  return data.items.find((item) => item.id === taskId);
}

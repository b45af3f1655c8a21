import path from "node:path";
import {
  readFileInside,
  readRunOwner,
  resolveRunPaths,
  toRepoPath,
  type FoundRun,
  type OrchestratorLocations,
} from "@codex/orchestrator-persistence";
import type {
  ChildRun,
  FailureStatus,
  Manifest,
  StatusChildRun,
  StatusOutput,
} from "@codex/orchestrator-schema";
import { assessHeartbeat, readHeartbeatFile } from "@codex/orchestrator-telemetry";
import { loadRunState } from "../record/run-log.js";
import { withJournal } from "../record/manifest-journal.js";
import { findWaitingGate } from "./waiting-gate.js";

/**
 * Where a run stands (docs/contract.md §1 `status`): heartbeat age and staleness (stale at once when the
 * owning process is gone), metrics, child runs with their current status, approvals, pending
 * gates, and for a failed run the failing stage with the tail of its output.
 */
export function buildRunStatus(
  locations: OrchestratorLocations,
  found: FoundRun,
  now: Date = new Date(),
): StatusOutput {
  const paths = resolveRunPaths(locations, { taskId: found.taskId, runId: found.runId });
  // What the run's files prove: the log, when a crash left the manifest behind it.
  const manifest = withJournal(loadRunState(paths), paths);
  const owner = readRunOwner(paths.ownerLock);
  const active = manifest.status === "in_progress" || manifest.status === "queued";
  const ownerAlive = owner === null ? (active ? false : null) : owner.alive;
  const heartbeatAt = readHeartbeatFile(paths.heartbeat) ?? manifest.heartbeat_at;
  const root = locations.root;
  return {
    run_id: manifest.run_id,
    task_id: manifest.task_id,
    pipeline_id: manifest.pipeline_id,
    commit: manifest.provenance?.git?.commit ?? null,
    status: manifest.status,
    status_detail: manifest.status_detail,
    started_at: manifest.started_at,
    completed_at: manifest.completed_at,
    manifest: toRepoPath(root, paths.manifest),
    artifact_root: manifest.artifact_root,
    log_path: manifest.log_path,
    compat_path: manifest.compat_path,
    parent_run_id: manifest.parent_run_id,
    heartbeat_at: heartbeatAt,
    heartbeat: assessHeartbeat({
      updatedAt: heartbeatAt,
      status: manifest.status,
      ownerAlive,
      now,
      intervalSeconds: manifest.heartbeat_interval_seconds,
      staleAfterSeconds: manifest.heartbeat_stale_after_seconds,
    }),
    metrics: { recorded: manifest.metrics_recorded, path: toRepoPath(root, paths.metrics) },
    commands: manifest.commands,
    child_runs: manifest.child_runs.map((child) => currentChildStatus(locations, child)),
    approvals: manifest.approvals,
    pending_approvals: pendingGates(manifest),
    waiting_gate: findWaitingGate(locations, manifest),
    failure: failureOf(root, paths.runDir, manifest),
    summary: manifest.summary,
    resume_events: manifest.resume_events,
    owner: owner === null ? null : { pid: owner.pid, hostname: owner.hostname, alive: owner.alive },
  };
}

// Paths named in run files are read only inside the runs directory (links resolved), so a tampered
// registration cannot make `status` show parts of a file elsewhere.
function currentChildStatus(locations: OrchestratorLocations, child: ChildRun): StatusChildRun {
  try {
    const text = readFileInside(path.resolve(locations.root, child.manifest), locations.runsDir);
    if (text === null) return child;
    const manifest = JSON.parse(text) as Partial<Manifest>;
    if (typeof manifest.status !== "string") return child;
    // What it is doing now, so a parent's status (and --watch) follows its children.
    const running = Array.isArray(manifest.commands)
      ? manifest.commands.filter((entry) => entry.status === "running").map((entry) => entry.id)
      : [];
    return {
      ...child,
      status: manifest.status,
      status_detail: typeof manifest.status_detail === "string" ? manifest.status_detail : null,
      running_stages: running,
    };
  } catch {
    return child;
  }
}

function pendingGates(manifest: Manifest): string[] {
  const detail = manifest.status_detail;
  if (manifest.status !== "awaiting_approval" || detail === null) return [];
  const match = /^approval:(.+):pending$/.exec(detail);
  return match?.[1] === undefined ? [] : [match[1]];
}

function failureOf(root: string, runDir: string, manifest: Manifest): FailureStatus | null {
  if (manifest.status !== "failed" && manifest.status !== "cancelled") return null;
  // The stage the run failed on (`stage:<id>:…`), not one it stopped on the way.
  const named = /^stage:(.+):[a-z]+$/.exec(manifest.status_detail ?? "")?.[1];
  const failed = manifest.commands.filter((candidate) => candidate.status === "failed");
  const entry = failed.find((candidate) => candidate.id === named) ?? failed[0];
  if (entry === undefined) return null;
  let tail: string[] = [];
  if (entry.error_file !== null) {
    try {
      // Only the run's own error files are read.
      const text = readFileInside(path.resolve(root, entry.error_file), runDir);
      const details = (text === null ? {} : JSON.parse(text)) as { tail_lines?: unknown };
      if (Array.isArray(details.tail_lines))
        tail = details.tail_lines.filter((line): line is string => typeof line === "string");
    } catch {
      // The error file is optional evidence; the manifest still says what failed.
    }
  }
  return {
    stage_id: entry.id,
    index: entry.index,
    exit_code: entry.exit_code,
    error_file: entry.error_file,
    tail,
  };
}

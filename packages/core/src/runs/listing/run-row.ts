import { readTextIfExists, runIdTime } from "@codex/orchestrator-persistence";
import {
  normalizeLegacyManifest,
  safeParseManifest,
  type Manifest,
  type RunListEntry,
} from "@codex/orchestrator-schema";

const seconds = (milliseconds: number) => Math.max(0, Math.round(milliseconds / 10) / 100);

/**
 * Busy and paused time of a run. `duration_seconds` stays the wall time from start to end; busy time
 * leaves out what the run spent stopped (paused at a gate, or failed) before a resume continued it.
 * Runs recorded before `paused_seconds` existed have no figure when they were ever resumed.
 */
function runTimes(
  manifest: Manifest,
): Pick<RunListEntry, "duration_seconds" | "busy_seconds" | "paused_seconds"> {
  const started = Date.parse(manifest.started_at);
  const completed = manifest.completed_at === null ? null : Date.parse(manifest.completed_at);
  const resumed = manifest.resume_events.some((event) => event.outcome === "accepted");
  const paused = manifest.paused_seconds ?? (resumed ? null : 0);
  // A run paused at a gate has run until it stopped; one still running has no figure yet.
  const stopped =
    completed ??
    (manifest.status === "awaiting_approval" && manifest.stopped_at ? Date.parse(manifest.stopped_at) : null);
  return {
    duration_seconds: completed === null ? null : seconds(completed - started),
    busy_seconds: stopped === null || paused === null ? null : seconds(stopped - started - paused * 1000),
    paused_seconds: paused,
  };
}

/** The `runs` row of a readable manifest. */
export function rowFor(manifest: Manifest, manifestPath: string): RunListEntry {
  const lines = manifest.summary.split("\n");
  const { duration_seconds, busy_seconds, paused_seconds } = runTimes(manifest);
  return {
    run_id: manifest.run_id,
    task_id: manifest.task_id,
    pipeline_id: manifest.pipeline_id,
    parent_run_id: manifest.parent_run_id,
    status: manifest.status,
    started_at: manifest.started_at,
    completed_at: manifest.completed_at,
    duration_seconds,
    busy_seconds,
    paused_seconds,
    guardrails: lines[lines.length - 1] ?? "",
    approvals: manifest.approvals.length,
    manifest: manifestPath,
    commit: manifest.provenance?.git?.commit ?? null,
  };
}

/** The row of a run whose manifest cannot be read: listed with the reason, never dropped. */
export function unreadableRow(options: {
  taskId: string;
  runId: string;
  manifest: string;
  reason: string;
}): RunListEntry {
  return {
    run_id: options.runId,
    task_id: options.taskId,
    pipeline_id: null,
    parent_run_id: null,
    status: "unreadable",
    reason: options.reason,
    started_at: runIdTime(options.runId)?.toISOString() ?? "",
    completed_at: null,
    duration_seconds: null,
    busy_seconds: null,
    paused_seconds: null,
    guardrails: "",
    approvals: 0,
    manifest: options.manifest,
  };
}

/** Reads and validates a manifest for listing; `display` is its repo-relative path. */
export function readListedManifest(
  file: string,
  display: string,
): { ok: true; manifest: Manifest } | { ok: false; reason: string } {
  let value: unknown;
  try {
    // No link at the manifest is followed: `runs` never shows a file from elsewhere.
    value = JSON.parse(readTextIfExists(file, { followLinks: false }) ?? "");
  } catch (error) {
    return { ok: false, reason: `${display}: not readable JSON (${(error as Error).message})` };
  }
  const parsed = safeParseManifest(normalizeLegacyManifest(value), { source: display });
  return parsed.ok ? { ok: true, manifest: parsed.value } : { ok: false, reason: parsed.error.message };
}

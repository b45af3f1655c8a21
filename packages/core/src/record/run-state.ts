import {
  TERMINAL_RUN_STATUSES,
  type CommandEntry,
  type Manifest,
  type RunStateEvent,
} from "@codex/orchestrator-schema";

/**
 * Applies one state event to a run's manifest. This is the only code that changes a manifest: the
 * run's owner applies each event as it writes it, and a reader rebuilds a manifest from
 * runner.ndjson by applying its lines in order. Events other than state changes are ignored.
 */
export function applyRunEvent(manifest: Manifest, event: RunStateEvent): void {
  if (event.seq !== undefined) manifest.event_seq = event.seq;
  // Before it moves on: when a run crashed, its last event is the best guess of when it stopped.
  const lastEventAt = manifest.updated_at;
  manifest.updated_at = event.timestamp;
  switch (event.type) {
    case "run:created":
      Object.assign(manifest, structuredClone(event.manifest), { event_seq: event.seq ?? 0 });
      return;
    case "run:start":
      manifest.status = "in_progress";
      manifest.status_detail = null;
      manifest.completed_at = null;
      return;
    case "run:end":
      manifest.status = event.status;
      manifest.status_detail = event.status_detail;
      manifest.completed_at = TERMINAL_RUN_STATUSES.includes(event.status)
        ? (event.completed_at ?? event.timestamp)
        : null;
      if (event.metrics_recorded !== undefined) manifest.metrics_recorded = event.metrics_recorded;
      if (event.run_summary_path !== undefined) manifest.run_summary_path = event.run_summary_path;
      manifest.stopped_at = event.completed_at ?? event.timestamp;
      return;
    case "run:heartbeat":
      manifest.heartbeat_at = event.heartbeat_at;
      return;
    case "run:resume":
      applyResume(manifest, event, lastEventAt);
      return;
    case "stage:status":
      applyStageStatus(manifest, event);
      return;
    case "stage:cache": {
      const entry = entryOf(manifest, event.index);
      if (entry !== null) entry.cache = event.cache;
      return;
    }
    case "stage:child": {
      const entry = entryOf(manifest, event.index);
      if (entry !== null) entry.sub_run_id = event.child_run_id;
      return;
    }
    case "command:start": {
      const entry = entryOf(manifest, event.index);
      if (entry === null) return;
      entry.attempts = [
        ...(entry.attempts ?? []),
        {
          attempt: event.attempt ?? (entry.attempts?.length ?? 0) + 1,
          started_at: event.timestamp,
          completed_at: null,
          exit_code: null,
          signal: null,
          reason: null,
          ...(event.worker === undefined ? {} : { worker: event.worker, host: event.host ?? null }),
        },
      ];
      return;
    }
    case "command:end": {
      const entry = entryOf(manifest, event.index);
      if (entry === null) return;
      const attempt = entry.attempts?.findLast(
        (candidate) => event.attempt === undefined || candidate.attempt === event.attempt,
      );
      if (attempt !== undefined) {
        attempt.completed_at = event.timestamp;
        attempt.exit_code = event.exit_code;
        attempt.signal = event.signal;
        attempt.reason = event.reason ?? null;
      }
      entry.exit_code = event.exit_code;
      entry.signal = event.signal;
      entry.exit_reason = event.reason ?? null;
      return;
    }
    case "approval:recorded": {
      const approval = event.approval;
      if (approval !== undefined && !manifest.approvals.some((known) => sameApproval(known, approval)))
        manifest.approvals.push(approval);
      return;
    }
    case "child:registered": {
      const position = manifest.child_runs.findIndex((child) => child.run_id === event.child.run_id);
      if (position === -1) manifest.child_runs.push(event.child);
      else manifest.child_runs[position] = event.child;
      return;
    }
    case "approval:requested":
    case "child:start":
      return;
  }
}

/** The manifest a run's state events describe; null when they do not start with `run:created`. */
export function rebuildManifest(events: Iterable<RunStateEvent>): Manifest | null {
  let manifest: Manifest | null = null;
  for (const event of events) {
    if (event.type === "run:created") manifest = {} as Manifest;
    if (manifest !== null) applyRunEvent(manifest, event);
  }
  return manifest;
}

function applyResume(
  manifest: Manifest,
  event: Extract<RunStateEvent, { type: "run:resume" }>,
  lastEventAt: string | undefined,
): void {
  const record = event.resume_event ?? {
    actor: event.actor,
    reason: null,
    outcome: event.outcome,
    detail: event.detail,
    timestamp: event.timestamp,
  };
  if (
    !manifest.resume_events.some(
      (known) => known.timestamp === record.timestamp && known.actor === record.actor,
    )
  )
    manifest.resume_events.push(record);
  if (event.outcome !== "accepted") return;
  // An accepted resume runs again every stage that did not succeed (or was skipped).
  for (const entry of manifest.commands) {
    if (entry.status === "succeeded" || entry.status === "skipped") continue;
    entry.status = "pending";
    entry.completed_at = null;
    entry.status_detail = null;
  }
  manifest.metrics_recorded = false;
  // The time it stood stopped is not time it ran (`runs` shows busy time apart from it).
  const stoppedAt = Date.parse(manifest.stopped_at ?? lastEventAt ?? "");
  const resumedAt = Date.parse(record.timestamp);
  if (Number.isFinite(stoppedAt) && Number.isFinite(resumedAt) && resumedAt > stoppedAt)
    manifest.paused_seconds =
      Math.round(((manifest.paused_seconds ?? 0) + (resumedAt - stoppedAt) / 1000) * 100) / 100;
  manifest.stopped_at = null;
}

function applyStageStatus(manifest: Manifest, event: Extract<RunStateEvent, { type: "stage:status" }>): void {
  const entry =
    entryOf(manifest, event.index) ?? manifest.commands.find((known) => known.id === event.stage_id);
  if (entry === undefined || entry === null) return;
  entry.status = event.status;
  if (event.status === "running") {
    entry.started_at = event.timestamp;
    entry.completed_at = null;
    entry.exit_code = null;
    entry.error_file = null;
    entry.status_detail = null;
    entry.duration_ms = null;
    delete entry.cache;
    return;
  }
  if (event.summary !== undefined) entry.summary = event.summary;
  if (event.error_file !== undefined) entry.error_file = event.error_file;
  if (event.status_detail !== undefined) entry.status_detail = event.status_detail;
  if (event.exit_code !== undefined) entry.exit_code = event.exit_code;
  if (event.signal !== undefined) entry.signal = event.signal;
  if (event.exit_reason !== undefined) entry.exit_reason = event.exit_reason;
  entry.completed_at = event.status === "pending" ? null : event.timestamp;
  // Each stage's own duration, from its last start (a resumed stage ran again).
  if (entry.completed_at !== null && entry.started_at !== null)
    entry.duration_ms = Math.max(0, Date.parse(entry.completed_at) - Date.parse(entry.started_at));
}

function entryOf(manifest: Manifest, index: number | null): CommandEntry | null {
  if (index === null) return null;
  return manifest.commands[index - 1] ?? null;
}

function sameApproval(
  left: { stage_id: string; timestamp: string; actor: string },
  right: typeof left,
): boolean {
  return left.stage_id === right.stage_id && left.timestamp === right.timestamp && left.actor === right.actor;
}

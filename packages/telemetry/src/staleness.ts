import { readTextIfExists } from "@codex/orchestrator-persistence";
import type { HeartbeatStatus, RunStatus } from "@codex/orchestrator-schema";
import { HEARTBEAT_INTERVAL_SECONDS } from "./heartbeat-writer.js";

/** A heartbeat older than this many seconds marks an active run stale (docs/contract.md §3). */
export const HEARTBEAT_STALE_AFTER_SECONDS = 30;

/** Reads the timestamp in a `.heartbeat` file; null when absent or unparsable. */
export function readHeartbeatFile(file: string): string | null {
  const text = readTextIfExists(file, { followLinks: false })?.trim();
  if (text === undefined || text === "" || Number.isNaN(Date.parse(text))) return null;
  return text;
}

/** Inputs of {@link assessHeartbeat}. */
export interface AssessHeartbeatOptions {
  /** Last beat (from `.heartbeat`, else the manifest's `heartbeat_at`). */
  updatedAt: string | null;
  /** The run's status: only active runs (queued, in_progress) can be stale. */
  status: RunStatus;
  /** Whether the owning process is alive; false makes an active run stale at once. */
  ownerAlive: boolean | null;
  now?: Date;
  intervalSeconds?: number;
  staleAfterSeconds?: number;
}

/** Heartbeat age and staleness, as `status` reports them. */
export function assessHeartbeat(options: AssessHeartbeatOptions): HeartbeatStatus {
  const now = options.now ?? new Date();
  const staleAfter = options.staleAfterSeconds ?? HEARTBEAT_STALE_AFTER_SECONDS;
  const age =
    options.updatedAt === null ? null : Math.max(0, (now.getTime() - Date.parse(options.updatedAt)) / 1000);
  const active = options.status === "in_progress" || options.status === "queued";
  const stale = active && (options.ownerAlive === false || age === null || age > staleAfter);
  return {
    updated_at: options.updatedAt,
    age_seconds: age === null ? null : Math.round(age * 10) / 10,
    stale,
    interval_seconds: options.intervalSeconds ?? HEARTBEAT_INTERVAL_SECONDS,
    stale_after_seconds: staleAfter,
    owner_alive: options.ownerAlive,
  };
}

import { acquireLock, isLockStale, readLockHolder, reclaimStale, type LockHandle } from "./file-lock.js";
import { LockHeldError } from "../errors.js";

/** Who owns a run directory right now. */
export interface RunOwner {
  pid: number;
  hostname: string;
  acquired_at: string;
  /** False when the owner died without releasing (a crash): the run is stale at once. */
  alive: boolean;
}

/**
 * Claims a run for this process (start, resume). Fails at once with {@link LockHeldError} when a
 * live process owns it; a dead owner's claim is reclaimed.
 */
export function claimRunOwnership(ownerLockPath: string, runId: string): LockHandle {
  try {
    return acquireLock(ownerLockPath, { timeoutMs: 0, purpose: "run owner" });
  } catch (error) {
    if (error instanceof LockHeldError) {
      throw new LockHeldError(
        `Run ${runId} is still owned by live process ${error.holderPid ?? "?"}`,
        error.holderPid,
      );
    }
    throw error;
  }
}

/** The run's current owner, or null when nobody holds it (finished, paused, never started). */
export function readRunOwner(ownerLockPath: string): RunOwner | null {
  const holder = readLockHolder(ownerLockPath);
  if (holder === null) return null;
  return {
    pid: holder.pid,
    hostname: holder.hostname,
    acquired_at: holder.acquired_at,
    alive: !isLockStale(ownerLockPath, holder, 30_000),
  };
}

/**
 * Claims a run whose recorded owner still looks alive but has stopped beating (`resume --force`):
 * the claim of process `ownerPid` is removed, then the run is claimed as usual. Fails with
 * {@link LockHeldError} when someone else claimed it in between.
 */
export function takeOverRunOwnership(ownerLockPath: string, runId: string, ownerPid: number): LockHandle {
  const holder = readLockHolder(ownerLockPath);
  if (holder !== null && holder.pid === ownerPid) reclaimStale(ownerLockPath, holder.token);
  return claimRunOwnership(ownerLockPath, runId);
}

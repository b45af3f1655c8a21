import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { acquireLock, LockHeldError, readLockHolder } from "@codex/orchestrator-persistence";

/** The right to run a stage of one key on this machine; released once its result is stored or not. */
export interface StageClaim {
  release(): void;
}

/** Options for {@link claimStageKey}. */
export interface ClaimOptions {
  /** Stops the wait: the claim then comes back unheld (the stage is being cancelled anyway). */
  signal: AbortSignal;
  /** Told once, when the key turns out to be held, with the holder's pid. */
  onWait?: (holderPid: number | null) => void;
}

// How often a waiting run looks again. Stages worth caching take seconds; this costs nothing.
const POLL_MS = 100;

/**
 * Claims a key (its hex digest) under `claimsDir` (`<runs>/.cache/claims/`, which exists): runs of one repository that reach the
 * same stage with the same key at once would run it side by side in one working tree, each
 * rewriting the outputs the others are storing. One claims it and runs it; the others wait here and
 * then find its result in the store. A claim is a lock file naming its process: one left by a
 * process that died is taken over at once (persistence, file-lock.ts).
 */
export async function claimStageKey(
  claimsDir: string,
  keyHex: string,
  options: ClaimOptions,
): Promise<StageClaim> {
  const lockPath = path.join(claimsDir, `${keyHex}.lock`);
  let waited = false;
  for (;;) {
    try {
      const lock = acquireLock(lockPath, { timeoutMs: 0, purpose: "stage cache claim" });
      return { release: () => lock.release() };
    } catch (error) {
      if (!(error instanceof LockHeldError)) throw error;
    }
    if (!waited) options.onWait?.(readLockHolder(lockPath)?.pid ?? null);
    waited = true;
    if (options.signal.aborted) return { release: () => {} };
    await sleep(POLL_MS, undefined, { signal: options.signal }).catch(() => {});
  }
}

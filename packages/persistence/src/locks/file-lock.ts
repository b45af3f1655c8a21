import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { InputFileError, LockHeldError, PersistenceError } from "../errors.js";
import { isRecordedProcessGone, readProcessIdentity } from "./process-identity.js";
import { sleepSync } from "../files/safe-fs.js";

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  hostname: string;
  acquired_at: string;
  token: string;
  purpose?: string;
  /** The holder's start time in clock ticks since boot (Linux), so a reused pid is not taken for it. */
  start_time?: number;
  /** The boot the holder started in (Linux): after a reboot or container restart every holder is gone. */
  boot_id?: string;
}

/** Options for {@link acquireLock}. */
export interface AcquireLockOptions {
  /** How long to wait for a live holder; 0 fails at once (default 10 000 ms). */
  timeoutMs?: number;
  /** A lock from another host, or unreadable, is stale after this long (default 30 000 ms). */
  staleMs?: number;
  /** Recorded in the lock file and in messages ("run owner", "state snapshot"). */
  purpose?: string;
}

/** A held lock. */
export interface LockHandle {
  /** The lock file. */
  readonly path: string;
  /** Releases the lock if this process still holds it. */
  release(): void;
}

/** Whether a process id is alive on this host (EPERM means alive, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reads a lock file's holder; null when absent or unreadable. */
export function readLockHolder(lockPath: string): LockHolder | null {
  try {
    const holder = JSON.parse(fs.readFileSync(lockPath, "utf8")) as LockHolder;
    return typeof holder.pid === "number" && typeof holder.token === "string" ? holder : null;
  } catch {
    return null;
  }
}

/**
 * The holder of a lock file that exists, for a process that wants it. A directory or other non-file
 * in its place, or a file it may not read, is reported as such: waiting on it, or reclaiming it, would
 * otherwise end in a misleading "held by process ?" or a failure to remove it.
 */
function readExistingHolder(lockPath: string): LockHolder | null {
  let text: string;
  try {
    const stats = fs.lstatSync(lockPath, { throwIfNoEntry: false });
    if (stats === undefined) return null;
    if (!stats.isFile()) {
      const kind = stats.isDirectory()
        ? "a directory"
        : stats.isSymbolicLink()
          ? "a symbolic link"
          : "not a regular file";
      throw new InputFileError(`Refusing to use ${lockPath}: it is ${kind}, not a lock file; remove it`);
    }
    text = fs.readFileSync(lockPath, "utf8");
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    throw new PersistenceError("read lock", lockPath, error);
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder.pid === "number" && typeof holder.token === "string" ? holder : null;
  } catch {
    // Half-written by a crashed holder: stale once old enough (isLockStale).
    return null;
  }
}

/**
 * Whether the holder of a lock is gone: a dead pid here (or a zombie, or a later process that got
 * the same pid, or one from before a reboot), or an old lock from elsewhere.
 */
export function isLockStale(lockPath: string, holder: LockHolder | null, staleMs: number): boolean {
  if (holder !== null && holder.hostname === os.hostname())
    return !isProcessAlive(holder.pid) || isRecordedProcessGone(holder.pid, holder);
  try {
    return Date.now() - fs.statSync(lockPath).mtimeMs > staleMs;
  } catch {
    return true;
  }
}

/**
 * Takes an exclusive lock file. The file is written whole (temp + hard link), so it is never seen
 * half-written; a holder that died (pid gone) or a foreign lock older than `staleMs` is reclaimed
 * under a short steal guard, so two reclaimers cannot both win.
 */
export function acquireLock(lockPath: string, options: AcquireLockOptions = {}): LockHandle {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const holder: LockHolder = {
    pid: process.pid,
    hostname: os.hostname(),
    acquired_at: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
    ...(options.purpose === undefined ? {} : { purpose: options.purpose }),
    ...(readProcessIdentity(process.pid) ?? {}),
  };
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    if (tryCreate(lockPath, holder)) return handleFor(lockPath, holder.token);
    const current = readExistingHolder(lockPath);
    if (isLockStale(lockPath, current, staleMs)) {
      reclaimStale(lockPath, current?.token ?? null);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = current === null ? "another process" : `process ${current.pid} on ${current.hostname}`;
      throw new LockHeldError(
        `${options.purpose ?? "Lock"} ${lockPath} is held by ${who}`,
        current?.pid ?? null,
      );
    }
    sleepSync(delay);
    delay = Math.min(delay * 2, 50);
  }
}

/** Runs `action` while holding the lock. */
export function withLock<T>(lockPath: string, action: () => T, options: AcquireLockOptions = {}): T {
  const lock = acquireLock(lockPath, options);
  try {
    return action();
  } finally {
    lock.release();
  }
}

function tryCreate(lockPath: string, holder: LockHolder): boolean {
  const temporary = `${lockPath}.${holder.token}.tmp`;
  try {
    fs.writeFileSync(temporary, JSON.stringify(holder), { flag: "wx" });
  } catch (error) {
    // A full disk creates the file and then fails the write: leave no empty temp file behind.
    removeQuietly(temporary);
    throw new PersistenceError("create lock", lockPath, error);
  }
  try {
    fs.linkSync(temporary, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new PersistenceError("create lock", lockPath, error);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Removes a lock whose holder is judged gone, unless its holder has changed since (`staleToken`).
 * Under a steal guard, so two reclaimers cannot both remove a fresh lock.
 */
export function reclaimStale(lockPath: string, staleToken: string | null): void {
  const guard = `${lockPath}.steal`;
  try {
    fs.writeFileSync(guard, String(process.pid), { flag: "wx" });
  } catch {
    // Someone else is reclaiming; a guard left by a crashed reclaimer expires after 5 s.
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > 5_000) fs.rmSync(guard, { force: true });
    } catch {
      // Gone already.
    }
    sleepSync(2);
    return;
  }
  try {
    const current = readLockHolder(lockPath);
    if ((current?.token ?? null) === staleToken) fs.rmSync(lockPath, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function handleFor(lockPath: string, token: string): LockHandle {
  let released = false;
  return {
    path: lockPath,
    release() {
      if (released) return;
      released = true;
      if (readLockHolder(lockPath)?.token === token) fs.rmSync(lockPath, { force: true });
    },
  };
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // The directory itself is unusable; there is nothing of ours to remove.
  }
}

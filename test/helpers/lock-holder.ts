import { spawnSync } from "node:child_process";
import os from "node:os";
// test/ is not a workspace package, so the bare specifier does not resolve from here.
import type { LockHolder } from "../../packages/persistence/src/index.js";

/**
 * What a lock file (a run's owner, a stage cache claim, the state snapshot's lock) says when process
 * `pid` of this host holds it; `extra` sets the purpose or the process identity.
 */
export function lockHolder(pid: number, extra: Partial<LockHolder> = {}): LockHolder {
  return {
    pid,
    hostname: os.hostname(),
    acquired_at: new Date().toISOString(),
    token: "0123456789abcdef",
    ...extra,
  };
}

/** A pid that is certainly gone: a child that has exited and been reaped. */
export function exitedPid(): number {
  const exited = spawnSync("true");
  if (exited.pid === undefined) throw new Error("could not start `true`");
  return exited.pid;
}

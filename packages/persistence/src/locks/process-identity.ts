import fs from "node:fs";

/**
 * What tells one process apart from a later one with the same pid: its start time (clock ticks
 * since boot, field 22 of /proc/<pid>/stat) and the boot it started in. Linux only; elsewhere
 * both are unknown and ownership falls back to the pid alone.
 */
export interface ProcessIdentity {
  start_time: number;
  boot_id: string;
}

/** A process as /proc shows it now. */
export interface ProcessStat {
  /** Clock ticks since boot when the process started. */
  startTime: number;
  /** One letter: R, S, D, Z (zombie), X (dead), … */
  state: string;
}

/** Reads /proc/<pid>/stat; null when the process is gone or there is no /proc. */
export function readProcessStat(pid: number): ProcessStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or ")": split after the last one.
  const closing = text.lastIndexOf(")");
  if (closing < 0) return null;
  const fields = text.slice(closing + 2).split(" ");
  // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
  const startTime = Number(fields[19]);
  const state = fields[0] ?? "";
  if (state === "" || !Number.isSafeInteger(startTime)) return null;
  return { startTime, state };
}

/** This boot's id (/proc/sys/kernel/random/boot_id); null where there is none. */
export function readBootId(): string | null {
  try {
    const id = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return id === "" ? null : id;
  } catch {
    return null;
  }
}

/** The identity of a running process, or null when /proc cannot tell it. */
export function readProcessIdentity(pid: number): ProcessIdentity | null {
  const stat = readProcessStat(pid);
  const bootId = readBootId();
  if (stat === null || bootId === null) return null;
  return { start_time: stat.startTime, boot_id: bootId };
}

/**
 * Whether the process that wrote `recorded` is certainly gone although `pid` answers `kill(pid, 0)`:
 * it is a zombie, the machine has rebooted since, or the pid now belongs to a later process.
 * False when /proc cannot tell (then the pid alone decides).
 */
export function isRecordedProcessGone(pid: number, recorded: Partial<ProcessIdentity>): boolean {
  const stat = readProcessStat(pid);
  if (stat === null) return false;
  if (stat.state === "Z" || stat.state === "X") return true;
  if (typeof recorded.boot_id === "string") {
    const bootId = readBootId();
    if (bootId !== null && bootId !== recorded.boot_id) return true;
  }
  return typeof recorded.start_time === "number" && recorded.start_time !== stat.startTime;
}

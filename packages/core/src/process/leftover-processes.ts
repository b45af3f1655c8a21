import { randomBytes } from "node:crypto";
import fs from "node:fs";

/**
 * The variable that marks every process a stage attempt starts. Children inherit it, so it finds
 * them after they have left the attempt's process group (`setsid`, double forks). A process that
 * clears it and leaves the group opts out of being stopped (docs/reliability.md).
 */
export const STAGE_MARKER_VARIABLE = "CODEX_ORCHESTRATOR_STAGE_MARKER";

/** How often stopped processes are looked for again while they are given the grace. */
const POLL_MS = 50;
/** After SIGKILL, how long to wait for the killed processes to disappear. */
const KILL_SETTLE_MS = 1_000;

/** A marker unique to one attempt of one stage of one run: `<run-id>/<stage-index>/<attempt>/<random>`. */
export function createStageMarker(runId: string, stageIndex: number, attempt: number): string {
  return `${runId}/${stageIndex}/${attempt}/${randomBytes(8).toString("hex")}`;
}

/** Whether processes can be found by their environment (Linux's /proc); elsewhere only groups are signalled. */
export function canScanProcesses(): boolean {
  return process.platform === "linux" && fs.existsSync("/proc/self/environ");
}

/**
 * The live processes whose environment holds `CODEX_ORCHESTRATOR_STAGE_MARKER=<marker>` exactly,
 * this process excluded. Processes that cannot be read (another user's) are not found. Empty
 * where /proc cannot be scanned.
 */
export function findProcessesWithMarker(marker: string): number[] {
  return scanProcesses({ marker, processGroup: null });
}

/**
 * Whether a process group still has a member that is not a zombie. A killed member stays in the
 * group as a zombie until its new parent reaps it, which some inits do seconds later; waiting for
 * that would hold a stopped stage for nothing. Without /proc, any member counts.
 */
export function processGroupRunning(group: number): boolean {
  if (!canScanProcesses()) return sendSignal(-group, 0);
  return scanProcesses({ marker: null, processGroup: group }).length > 0;
}

/** What {@link stopLeftovers} looks for. */
export interface LeftoverSearch {
  /** The attempt's marker; null to look only at the process group. */
  marker: string | null;
  /** The attempt's process group (its shell's pid); null when unknown or not to be trusted. */
  processGroup: number | null;
}

/** Options for {@link stopLeftovers}. */
export interface StopLeftoversOptions extends LeftoverSearch {
  /** Between SIGTERM and SIGKILL. */
  killGraceMs: number;
}

/** What {@link stopLeftovers} did. */
export interface LeftoverReport {
  /** Processes that were still running and were sent SIGTERM (on Linux each one; elsewhere 1 for a live group). */
  stopped: number;
  /** Of those, how many were still there after the grace and were sent SIGKILL. */
  killed: number;
}

/**
 * Stops what an attempt left running: every process carrying its marker (Linux) and every member
 * of its process group get SIGTERM, and whatever of them is still there once the grace has passed
 * gets SIGKILL. Processes that appear during the grace (a leftover's cleanup spawning helpers) are
 * left to finish within it, and killed with the rest if they do not.
 */
export async function stopLeftovers(options: StopLeftoversOptions): Promise<LeftoverReport> {
  if (!canScanProcesses()) return stopGroupOnly(options);
  const running = scanProcesses(options);
  if (running.length === 0) return { stopped: 0, killed: 0 };
  for (const pid of running) sendSignal(pid, "SIGTERM");
  const deadline = Date.now() + options.killGraceMs;
  let alive = scanProcesses(options);
  while (alive.length > 0 && Date.now() < deadline) {
    await delay(POLL_MS);
    alive = scanProcesses(options);
  }
  if (alive.length === 0) return { stopped: running.length, killed: 0 };
  for (const pid of alive) sendSignal(pid, "SIGKILL");
  // A killed process is gone a moment later; waiting for it keeps the caller from overlapping it.
  const settleBy = Date.now() + KILL_SETTLE_MS;
  while (scanProcesses(options).length > 0 && Date.now() < settleBy) await delay(POLL_MS);
  return { stopped: new Set([...running, ...alive]).size, killed: alive.length };
}

// Without /proc nothing can be found by its environment: the process group is all there is.
async function stopGroupOnly(options: StopLeftoversOptions): Promise<LeftoverReport> {
  const group = options.processGroup;
  if (group === null || !sendSignal(-group, "SIGTERM")) return { stopped: 0, killed: 0 };
  const deadline = Date.now() + options.killGraceMs;
  while (Date.now() < deadline) {
    if (!sendSignal(-group, 0)) return { stopped: 1, killed: 0 };
    await delay(POLL_MS);
  }
  return { stopped: 1, killed: sendSignal(-group, "SIGKILL") ? 1 : 0 };
}

// One pass over /proc: live processes (zombies are already dead) in the group or with the marker.
function scanProcesses(search: LeftoverSearch): number[] {
  const wanted = search.marker === null ? null : Buffer.from(`${STAGE_MARKER_VARIABLE}=${search.marker}\0`);
  const found: number[] = [];
  let names: string[];
  try {
    names = fs.readdirSync("/proc");
  } catch {
    return found;
  }
  const lowest = lowestCandidatePid(search.processGroup);
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid || pid < lowest) continue;
    const stat = readStat(pid);
    if (stat === null || stat.state === "Z") continue;
    if (
      (search.processGroup !== null && stat.processGroup === search.processGroup) ||
      (wanted !== null && environmentHolds(pid, wanted))
    )
      found.push(pid);
  }
  return found;
}

/**
 * What an attempt started has a pid no lower than its shell's, unless the kernel's pid counter has
 * wrapped since (its last pid is then below the shell's): only those processes are read, which
 * keeps a scan to a handful of files on a busy machine. Without a shell pid, or when the counter
 * cannot be read, every process is.
 */
function lowestCandidatePid(shellPid: number | null): number {
  if (shellPid === null) return 0;
  try {
    const lastPid = Number(fs.readFileSync("/proc/sys/kernel/ns_last_pid", "utf8"));
    return Number.isInteger(lastPid) && lastPid >= shellPid ? shellPid : 0;
  } catch {
    return 0;
  }
}

// /proc/<pid>/stat is "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
function readStat(pid: number): { state: string; processGroup: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const processGroup = Number(fields[2]);
  return fields[0] === undefined || !Number.isInteger(processGroup)
    ? null
    : { state: fields[0], processGroup };
}

// The environment is NUL-separated `NAME=value` entries, each ending in NUL: the entry must be whole.
function environmentHolds(pid: number, entry: Buffer): boolean {
  let environment: Buffer;
  try {
    environment = fs.readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  for (let at = environment.indexOf(entry); at !== -1; at = environment.indexOf(entry, at + 1)) {
    if (at === 0 || environment[at - 1] === 0) return true;
  }
  return false;
}

// Whether the signal reached something; EPERM means a process we may not signal is there.
function sendSignal(target: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

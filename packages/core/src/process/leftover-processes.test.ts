import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  canScanProcesses,
  createStageMarker,
  findProcessesWithMarker,
  processGroupRunning,
  STAGE_MARKER_VARIABLE,
  stopLeftovers,
} from "./leftover-processes.js";

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    // An exited child's pid may already be someone else's.
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

// A shell in a process group of its own, with the marker (or not) in its environment.
function startShell(script: string, marker: string | null): ChildProcess {
  const env = { ...process.env };
  if (marker === null) delete env[STAGE_MARKER_VARIABLE];
  else env[STAGE_MARKER_VARIABLE] = marker;
  const child = spawn("/bin/sh", ["-c", script], { env, detached: true, stdio: "ignore" });
  started.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

async function waitFor(condition: () => boolean, withinMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe.skipIf(!canScanProcesses())("leftover processes (/proc)", () => {
  it("makes markers unique per attempt", () => {
    const first = createStageMarker("run-1", 2, 3);
    expect(first).toMatch(/^run-1\/2\/3\/[0-9a-f]{16}$/);
    expect(createStageMarker("run-1", 2, 3)).not.toBe(first);
  });

  it("finds a process by its exact marker, not by a prefix of it or another marker", async () => {
    const marker = createStageMarker("run-find", 1, 1);
    const carrier = startShell("exec sleep 30", marker);
    const longer = startShell("exec sleep 30", `${marker}-longer`);
    const other = startShell("exec sleep 30", createStageMarker("run-find", 1, 1));
    expect(await waitFor(() => findProcessesWithMarker(marker).includes(carrier.pid!))).toBe(true);
    const found = findProcessesWithMarker(marker);
    expect(found).not.toContain(longer.pid);
    expect(found).not.toContain(other.pid);
    expect(found).not.toContain(process.pid);
  });

  it("stops a marked process that left its process group, and reports it", async () => {
    const marker = createStageMarker("run-stop", 1, 1);
    const shell = startShell("exec sleep 30", marker);
    await waitFor(() => findProcessesWithMarker(marker).length === 1);
    const report = await stopLeftovers({ marker, processGroup: null, killGraceMs: 2_000 });
    await exited(shell);
    expect(report).toEqual({ stopped: 1, killed: 0 });
    expect(shell.signalCode).toBe("SIGTERM");
    expect(findProcessesWithMarker(marker)).toEqual([]);
  });

  it("stops members of the process group that cleared the marker", async () => {
    const shell = startShell("exec sleep 30", null);
    await waitFor(() => fs.existsSync(`/proc/${shell.pid}`));
    const report = await stopLeftovers({
      marker: createStageMarker("run-group", 1, 1),
      processGroup: shell.pid!,
      killGraceMs: 2_000,
    });
    await exited(shell);
    expect(report.stopped).toBe(1);
    expect(shell.signalCode).toBe("SIGTERM");
  });

  it("gives a process that traps SIGTERM the grace, then kills it", async () => {
    const marker = createStageMarker("run-trap", 1, 1);
    const shell = startShell("trap '' TERM; while :; do sleep 0.05; done", marker);
    await waitFor(() => findProcessesWithMarker(marker).includes(shell.pid!));
    const before = Date.now();
    const report = await stopLeftovers({ marker, processGroup: null, killGraceMs: 600 });
    const elapsed = Date.now() - before;
    await exited(shell);
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(report.killed).toBeGreaterThanOrEqual(1);
    expect(shell.signalCode).toBe("SIGKILL");
  });

  it("reports nothing when nothing carries the marker", async () => {
    const report = await stopLeftovers({
      marker: createStageMarker("run-none", 1, 1),
      processGroup: null,
      killGraceMs: 1_000,
    });
    expect(report).toEqual({ stopped: 0, killed: 0 });
  });

  it("sees a process group running until its members are gone", async () => {
    const shell = startShell("sleep 30 & wait", null);
    const group = shell.pid as number;
    expect(await waitFor(() => processGroupRunning(group))).toBe(true);
    process.kill(-group, "SIGKILL");
    await exited(shell);
    expect(await waitFor(() => !processGroupRunning(group))).toBe(true);
  });
});

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { readNdjson } from "../helpers/cli.js";
import { command, isRunning, pipeline, runCliAsync, spawnCliAsync, tempRepo, waitFor } from "./support.js";

const onLinux = process.platform === "linux" && existsSync("/proc/self/environ");
const hasSetsid = spawnSync("sh", ["-c", "command -v setsid"]).status === 0;

// Waits (bounded) for the stage to write its pid file.
const WAIT_FOR_PID_FILE = (file: string) =>
  `i=0; while [ ! -s ${file} ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done`;
const CONFIG = {
  defaultPipeline: "background",
  pipelines: [
    pipeline("background", [command("bg", "sleep 100 & echo $! > bg.pid; echo started")]),
    pipeline("daemon", [
      command(
        "daemon",
        `setsid sh -c 'echo $$ > daemon.pid; exec sleep 100' > /dev/null 2>&1 & ${WAIT_FOR_PID_FILE("daemon.pid")}`,
      ),
    ]),
    // The documented opt-out: no marker, and out of the process group.
    pipeline("kept", [
      command(
        "kept",
        `env -u CODEX_ORCHESTRATOR_STAGE_MARKER setsid sh -c 'echo $$ > kept.pid; exec sleep 100' > /dev/null 2>&1 & ${WAIT_FOR_PID_FILE("kept.pid")}`,
      ),
    ]),
    // Its output goes elsewhere: the stage's pipes are closed by then, and a write to them
    // (dash reporting its TERMed sleep) would end it by SIGPIPE.
    pipeline("cleanup", [
      command(
        "cleanup",
        `sh -c 'trap "sleep 0.5; echo cleaned > cleaned.txt; exit 0" TERM; echo $$ > trap.pid; while :; do sleep 0.05; done' > /dev/null 2>&1 & ${WAIT_FOR_PID_FILE("trap.pid")}`,
      ),
    ]),
    // Appends its shell's pid every 0.2 s: ~30 s at first, 1 s once `resumed.flag` exists.
    pipeline("writer", [
      command(
        "writer",
        "n=150; [ -f resumed.flag ] && n=5; i=0; while [ $i -lt $n ]; do echo $$ >> writes.log; i=$((i+1)); sleep 0.2; done",
      ),
    ]),
  ],
};

// Kills what a test's stages may have left, whatever the test's outcome: only processes still
// running in the test's repo, so that a pid reused by someone else since is never hit.
function killWhenFinished(root: string, pids: () => number[]): void {
  onTestFinished(() => {
    const repo = realpathSync(root);
    for (const pid of pids()) {
      try {
        if (isRunning(pid) && readlinkSync(`/proc/${pid}/cwd`) === repo) process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  });
}

function readPid(root: string, file: string): number {
  return Number(readFileSync(path.join(root, file), "utf8").trim());
}

function pidsIn(root: string, file: string): number[] {
  const full = path.join(root, file);
  if (!existsSync(full)) return [];
  return readFileSync(full, "utf8")
    .split("\n")
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

type CommandEvent = { type: string; leftovers_stopped?: number; marker?: string; pid?: number };

function commandEvents(root: string, runDir: string): CommandEvent[] {
  return readNdjson<CommandEvent>(root, path.join(runDir, "runner.ndjson")).filter((event) =>
    event.type.startsWith("command:"),
  );
}

describe.skipIf(!onLinux)("what a stage leaves running is stopped when it ends", () => {
  it("a background child (`sleep 100 &`) is gone after the run, and counted", async () => {
    const root = tempRepo(CONFIG);
    killWhenFinished(root, () => pidsIn(root, "bg.pid"));
    const result = await runCliAsync(root, ["start", "background", "--format", "json"]);
    expect(result.status, result.stderr).toBe(0);
    const background = readPid(root, "bg.pid");
    expect(await waitFor(() => !isRunning(background), 5_000)).toBe(true);

    const out = JSON.parse(result.stdout) as { manifest: string };
    const events = commandEvents(root, path.dirname(out.manifest));
    const start = events.find((event) => event.type === "command:start");
    expect(start?.marker).toMatch(/\/1\/1\/[0-9a-f]{16}$/);
    expect(start?.pid).toBeGreaterThan(0);
    expect(events.find((event) => event.type === "command:end")?.leftovers_stopped).toBe(1);
  });

  it.skipIf(!hasSetsid)("a daemon that left the process group (`setsid`) is gone after the run", async () => {
    const root = tempRepo(CONFIG);
    killWhenFinished(root, () => pidsIn(root, "daemon.pid"));
    const result = await runCliAsync(root, ["start", "daemon"]);
    expect(result.status, result.stderr).toBe(0);
    const daemon = readPid(root, "daemon.pid");
    expect(await waitFor(() => !isRunning(daemon), 5_000)).toBe(true);
  });

  it.skipIf(!hasSetsid)("a daemon that drops the marker and leaves the group is left running", async () => {
    const root = tempRepo(CONFIG);
    killWhenFinished(root, () => pidsIn(root, "kept.pid"));
    const result = await runCliAsync(root, ["start", "kept"]);
    expect(result.status, result.stderr).toBe(0);
    const kept = readPid(root, "kept.pid");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isRunning(kept)).toBe(true);
  });

  it("a grandchild that traps SIGTERM gets the grace to clean up", async () => {
    const root = tempRepo(CONFIG);
    killWhenFinished(root, () => pidsIn(root, "trap.pid"));
    const result = await runCliAsync(root, ["start", "cleanup"], {
      env: { CODEX_ORCHESTRATOR_KILL_GRACE_MS: "4000" },
    });
    expect(result.status, result.stderr).toBe(0);
    const trapping = readPid(root, "trap.pid");
    expect(await waitFor(() => !isRunning(trapping), 5_000)).toBe(true);
    expect(readFileSync(path.join(root, "cleaned.txt"), "utf8")).toBe("cleaned\n");
  });

  it("resume after a SIGKILL of the orchestrator stops the orphaned copy before the stage runs again", async () => {
    const root = tempRepo(CONFIG);
    const writesLog = path.join(root, "writes.log");
    killWhenFinished(root, () => pidsIn(root, "writes.log"));
    const first = spawnCliAsync(root, ["start", "writer", "--format", "json"]);
    expect(await waitFor(() => pidsIn(root, "writes.log").length >= 3, 20_000)).toBe(true);
    first.process.kill("SIGKILL");
    await first.finished;
    const orphan = pidsIn(root, "writes.log")[0]!;
    // The orphaned copy writes on without its orchestrator.
    const linesAfterKill = pidsIn(root, "writes.log").length;
    expect(await waitFor(() => pidsIn(root, "writes.log").length > linesAfterKill + 1, 5_000)).toBe(true);
    expect(isRunning(orphan)).toBe(true);

    writeFileSync(path.join(root, "resumed.flag"), "");
    const runId = onlyRunId(root);
    const resumed = await runCliAsync(root, ["resume", "--run", runId, "--format", "json"], {
      env: { CODEX_ORCHESTRATOR_KILL_GRACE_MS: "2000" },
    });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(isRunning(orphan)).toBe(false);

    // One writer at a time: once the new copy's first line is there, the old one never writes again.
    const writers = pidsIn(root, "writes.log");
    const firstNew = writers.findIndex((pid) => pid !== orphan);
    expect(firstNew).toBeGreaterThan(0);
    const afterResume = writers.slice(firstNew);
    expect(new Set(afterResume).size).toBe(1);
    expect(afterResume).toHaveLength(5);
    expect(readFileSync(writesLog, "utf8").endsWith("\n")).toBe(true);

    const out = JSON.parse(resumed.stdout) as { manifest: string };
    const manifest = JSON.parse(readFileSync(path.resolve(root, out.manifest), "utf8")) as {
      resume_events: { outcome: string; detail: string }[];
    };
    expect(manifest.resume_events.at(-1)?.outcome).toBe("accepted");
    // The writer's shell and its current `sleep 0.2`, or the shell alone between two sleeps.
    expect(manifest.resume_events.at(-1)?.detail).toMatch(
      /stopped [12] process(es)? left running by unfinished attempt writer#1/,
    );
  });
});

// The one run of a temp repo (its task's cli/ folder holds it).
function onlyRunId(root: string): string {
  const runsDir = path.join(root, ".runs");
  const runIds = readdirSync(runsDir)
    .map((task) => path.join(runsDir, task, "cli"))
    .filter((cliDir) => existsSync(cliDir))
    .flatMap((cliDir) => readdirSync(cliDir));
  expect(runIds).toHaveLength(1);
  return runIds[0]!;
}

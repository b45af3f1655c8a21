import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
// test/ is not a workspace package, so the bare specifier does not resolve from here.
import {
  isLockStale,
  readProcessIdentity,
  readProcessStat,
  readRunOwner,
  type LockHolder,
} from "../../packages/persistence/src/index.js";
import { runCli } from "../helpers/cli.js";
import { lockHolder } from "../helpers/lock-holder.js";
import { tempDir } from "../helpers/temp-dir.js";
import { command, pipeline, tempRepo, waitFor } from "./support.js";

const onLinux = process.platform === "linux";

function lockNaming(pid: number, identity: Partial<LockHolder> = {}): LockHolder {
  return lockHolder(pid, { purpose: "run owner", ...identity });
}

function writeLock(directory: string, holder: LockHolder): string {
  const file = path.join(directory, ".owner.lock");
  writeFileSync(file, JSON.stringify(holder));
  return file;
}

function spawnCleanedUp(commandLine: string): ChildProcess {
  const child = spawn("sh", ["-c", commandLine], { stdio: ["ignore", "pipe", "ignore"] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

describe.runIf(onLinux)("the owner of a lock is identified by pid, start time and boot", () => {
  it("a lock naming a live pid with another start time is stale; with its own, it is not", () => {
    const directory = tempDir();
    const identity = readProcessIdentity(process.pid)!;
    expect(identity).not.toBeNull();

    const reused = writeLock(
      directory,
      lockNaming(process.pid, { ...identity, start_time: identity.start_time + 1 }),
    );
    expect(isLockStale(reused, JSON.parse(readFileSync(reused, "utf8")) as LockHolder, 30_000)).toBe(true);
    expect(readRunOwner(reused)?.alive).toBe(false);

    const otherBoot = writeLock(
      directory,
      lockNaming(process.pid, { ...identity, boot_id: "not-this-boot" }),
    );
    expect(isLockStale(otherBoot, JSON.parse(readFileSync(otherBoot, "utf8")) as LockHolder, 30_000)).toBe(
      true,
    );

    const same = writeLock(directory, lockNaming(process.pid, identity));
    expect(isLockStale(same, JSON.parse(readFileSync(same, "utf8")) as LockHolder, 30_000)).toBe(false);
    expect(readRunOwner(same)?.alive).toBe(true);
  });

  it("a lock naming a zombie is stale", async () => {
    // Node reaps its own children at once, so the zombie is a grandchild: a short `sleep` ends in
    // the background of a shell that has meanwhile become a long `sleep`, which never waits for it.
    const parent = spawnCleanedUp("sleep 0.1 & echo $!; exec sleep 30");
    let output = "";
    parent.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    expect(await waitFor(() => output.includes("\n"), 10_000)).toBe(true);
    const zombie = Number(output.trim());
    expect(await waitFor(() => readProcessStat(zombie)?.state === "Z", 10_000)).toBe(true);

    const lock = writeLock(tempDir(), lockNaming(zombie));
    expect(isLockStale(lock, JSON.parse(readFileSync(lock, "utf8")) as LockHolder, 30_000)).toBe(true);
    expect(readRunOwner(lock)?.alive).toBe(false);
  });
});

describe.runIf(onLinux)("resume --force takes over a run whose heartbeat is stale", () => {
  it("refused while the recorded owner looks alive; forced only once its heartbeat is stale", async () => {
    const root = tempRepo({
      pipelines: [pipeline("flaky", [command("once", "test -f ok || { touch ok; exit 1; }")])],
    });
    expect(runCli(root, ["start", "flaky"]).status).toBe(1);
    const runsDir = path.join(root, ".runs", "0101", "cli");
    const [runId] = readdirSync(runsDir);
    const runDir = path.join(runsDir, runId!);

    // An unrelated live process, recorded (with its real identity) as the run's owner.
    const unrelated = spawnCleanedUp("exec sleep 60");
    expect(await waitFor(() => readProcessStat(unrelated.pid!) !== null, 5_000)).toBe(true);
    writeLock(runDir, lockNaming(unrelated.pid!, readProcessIdentity(unrelated.pid!)!));

    const fresh = runCli(root, ["resume", runId!, "--force"]);
    expect(fresh.status, fresh.stderr).toBe(2);
    expect(fresh.stderr).toMatch(/still running/);

    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    writeFileSync(path.join(runDir, ".heartbeat"), `${hourAgo}\n`);
    const manifestFile = path.join(runDir, "manifest.json");
    const before = JSON.parse(readFileSync(manifestFile, "utf8")) as Record<string, unknown>;
    writeFileSync(manifestFile, JSON.stringify({ ...before, heartbeat_at: hourAgo }, null, 2));

    const unforced = runCli(root, ["resume", runId!]);
    expect(unforced.status, unforced.stderr).toBe(2);
    expect(unforced.stderr).toMatch(/--force/);

    const forced = runCli(root, ["resume", runId!, "--force"]);
    expect(forced.status, forced.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as {
      status: string;
      resume_events: { outcome: string; detail: string | null }[];
    };
    expect(manifest.status).toBe("succeeded");
    expect(manifest.resume_events.map((event) => event.outcome)).toEqual(["blocked", "blocked", "accepted"]);
    expect(manifest.resume_events.at(-1)?.detail).toMatch(
      new RegExp(
        `^forced: owner process ${unrelated.pid} looked alive, heartbeat stale \\(age \\d+ s > 30 s\\)`,
      ),
    );
    // The unrelated process was only displaced as the owner, not signalled.
    expect(unrelated.exitCode).toBeNull();
  });
});

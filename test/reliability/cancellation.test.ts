import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { CLI_BIN } from "../helpers/cli.js";
import { command, isRunning, pipeline, spawnCliAsync, tempRepo, waitFor } from "./support.js";

interface RunManifest {
  run_id: string;
  pipeline_id: string;
  parent_run_id: string | null;
  status: string;
  status_detail: string | null;
  completed_at: string | null;
  commands: { id: string; status: string; attempts?: unknown[] }[];
}

/** Every run manifest of a task, whatever pipeline wrote it. */
function manifestsOf(root: string, taskId: string): RunManifest[] {
  const runsDir = path.join(root, ".runs", taskId, "cli");
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .map((runId) => path.join(runsDir, runId, "manifest.json"))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, "utf8")) as RunManifest);
}

function readPid(root: string, name: string): number | null {
  const file = path.join(root, name);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

// Kills what a failed assertion would otherwise leave running.
function killOnFinish(pids: () => (number | null)[]): void {
  onTestFinished(() => {
    for (const pid of pids()) {
      if (pid === null) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  });
}

// Ignores SIGTERM, and so does its `sleep` (an ignored signal stays ignored across exec).
const STUBBORN = "trap '' TERM; sleep 60 & echo $! > inner-sleep.pid; wait";

describe("cancellation reaches every level", () => {
  it("SIGINT to an outer run stops a nested `start` and its TERM-ignoring stage within the outer grace", async () => {
    const root = tempRepo({
      pipelines: [
        pipeline("outer", [
          command("spawn", 'echo $$ > outer-stage.pid; node "$NESTED_CLI_BIN" start inner --format json'),
        ]),
        pipeline("inner", [command("stubborn", STUBBORN)]),
      ],
    });
    const graceMs = 2_000;
    const outer = spawnCliAsync(root, ["start", "outer", "--format", "json"], {
      env: { CODEX_ORCHESTRATOR_KILL_GRACE_MS: String(graceMs), NESTED_CLI_BIN: CLI_BIN },
    });
    let innerOrchestrator: number | null = null;
    killOnFinish(() => [readPid(root, "inner-sleep.pid"), innerOrchestrator, outer.process.pid ?? null]);

    expect(await waitFor(() => readPid(root, "inner-sleep.pid") !== null, 30_000)).toBe(true);
    const innerSleep = readPid(root, "inner-sleep.pid")!;
    const inner = manifestsOf(root, "0101").find((manifest) => manifest.pipeline_id === "inner");
    expect(inner?.status).toBe("in_progress");
    const ownerLock = path.join(root, ".runs", "0101", "cli", inner!.run_id, ".owner.lock");
    innerOrchestrator = (JSON.parse(readFileSync(ownerLock, "utf8")) as { pid: number }).pid;
    expect(isRunning(innerOrchestrator)).toBe(true);

    const sentAt = Date.now();
    outer.process.kill("SIGINT");
    const result = await outer.finished;
    const elapsed = Date.now() - sentAt;

    expect(result.status, result.stderr).toBe(130);
    expect(elapsed).toBeLessThan(graceMs + 1_500);
    // No process of either level is left: the inner stage, the inner orchestrator, the outer stage.
    expect(await waitFor(() => !isRunning(innerSleep), 1_000)).toBe(true);
    expect(isRunning(innerOrchestrator)).toBe(false);
    expect(isRunning(readPid(root, "outer-stage.pid")!)).toBe(false);

    const runs = manifestsOf(root, "0101");
    const innerEnd = runs.find((manifest) => manifest.pipeline_id === "inner")!;
    const outerEnd = runs.find((manifest) => manifest.pipeline_id === "outer")!;
    expect(outerEnd).toMatchObject({ status: "cancelled", status_detail: "signal:SIGINT" });
    // The nested orchestrator got the outer stage's SIGTERM and finished its run before the SIGKILL.
    expect(innerEnd).toMatchObject({ status: "cancelled", status_detail: "signal:SIGTERM" });
    expect(innerEnd.completed_at).not.toBeNull();
    expect(innerEnd.parent_run_id).toBe(outerEnd.run_id);
  });

  it("SIGINT during an in-process subpipeline ends the child run cancelled too", async () => {
    const root = tempRepo({
      pipelines: [
        pipeline("outer", [{ kind: "subpipeline", id: "nested", title: "Run inner", pipeline: "inner" }]),
        pipeline("inner", [command("stubborn", STUBBORN)]),
      ],
    });
    const graceMs = 500;
    const outer = spawnCliAsync(root, ["start", "outer", "--format", "json"], {
      env: { CODEX_ORCHESTRATOR_KILL_GRACE_MS: String(graceMs) },
    });
    killOnFinish(() => [readPid(root, "inner-sleep.pid"), outer.process.pid ?? null]);
    expect(await waitFor(() => readPid(root, "inner-sleep.pid") !== null, 30_000)).toBe(true);
    const innerSleep = readPid(root, "inner-sleep.pid")!;

    const sentAt = Date.now();
    outer.process.kill("SIGINT");
    const result = await outer.finished;

    expect(result.status, result.stderr).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(graceMs + 1_500);
    expect(await waitFor(() => !isRunning(innerSleep), 1_000)).toBe(true);
    const runs = manifestsOf(root, "0101");
    expect(runs.find((manifest) => manifest.pipeline_id === "outer")).toMatchObject({
      status: "cancelled",
      status_detail: "signal:SIGINT",
    });
    const child = runs.find((manifest) => manifest.pipeline_id === "inner");
    expect(child?.status).toBe("cancelled");
    expect(child?.completed_at).not.toBeNull();
  });

  it("SIGHUP (a closed terminal) cancels like SIGTERM: stage stopped, signal:SIGHUP, exit 129", async () => {
    const root = tempRepo({ pipelines: [pipeline("hup", [command("stubborn", STUBBORN)])] });
    const run = spawnCliAsync(root, ["start", "hup", "--format", "json"], {
      env: { CODEX_ORCHESTRATOR_KILL_GRACE_MS: "300" },
    });
    killOnFinish(() => [readPid(root, "inner-sleep.pid"), run.process.pid ?? null]);
    expect(await waitFor(() => readPid(root, "inner-sleep.pid") !== null, 30_000)).toBe(true);
    const stageSleep = readPid(root, "inner-sleep.pid")!;

    run.process.kill("SIGHUP");
    const result = await run.finished;

    expect(result.status, result.stderr).toBe(129);
    expect(await waitFor(() => !isRunning(stageSleep), 1_000)).toBe(true);
    const out = JSON.parse(result.stdout) as { status: string; status_detail: string };
    expect(out).toMatchObject({ status: "cancelled", status_detail: "signal:SIGHUP" });
    expect(manifestsOf(root, "0101")[0]).toMatchObject({
      status: "cancelled",
      status_detail: "signal:SIGHUP",
    });
  });

  it("SIGINT during a retry backoff: cancelled, signal:SIGINT, exit 130, no further attempt", async () => {
    const root = tempRepo({
      pipelines: [
        pipeline("flaky", [
          command("fails", "echo attempt >> attempts.txt; exit 1", { retries: 3, retryBackoffSeconds: 5 }),
        ]),
      ],
    });
    const run = spawnCliAsync(root, ["start", "flaky", "--format", "json"]);
    killOnFinish(() => [run.process.pid ?? null]);
    const attempts = path.join(root, "attempts.txt");
    expect(await waitFor(() => existsSync(attempts), 30_000)).toBe(true);
    // The first attempt has failed once the stage is waiting out its backoff.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const sentAt = Date.now();
    run.process.kill("SIGINT");
    const result = await run.finished;

    expect(result.status, result.stderr).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(2_000);
    expect(readFileSync(attempts, "utf8")).toBe("attempt\n");
    const manifest = manifestsOf(root, "0101")[0]!;
    expect(manifest).toMatchObject({ status: "cancelled", status_detail: "signal:SIGINT" });
    expect(manifest.completed_at).not.toBeNull();
  });
});

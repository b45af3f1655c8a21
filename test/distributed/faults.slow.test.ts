import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJson, runCliJson } from "../helpers/cli.js";
import { startRedisServer, type RedisServer } from "../helpers/redis-server.js";
import { command, pipeline, tempRepo } from "../helpers/repo.js";
import { isAlive, onlyRunFolder, sleep, startCoordinator, startWorker, waitUntil } from "./support.js";

interface Attempt {
  attempt: number;
  reason: string | null;
  worker?: string;
  completed_at: string | null;
}
interface Manifest {
  status: string;
  status_detail: string | null;
  commands: { id: string; status: string; attempts?: Attempt[] }[];
}

// The stage records its shell's pid (its process group) where it runs, then works for a while.
const SLOW_STAGE = 'echo $$ >> "$CODEX_ORCHESTRATOR_ROOT/shell-pids"; echo begun; sleep 6; echo ended';

const CONFIG = {
  pipelines: [
    pipeline("slow", [command("work", SLOW_STAGE), command("after", "echo after")]),
    pipeline("gated", [
      command("before", "echo before the gate"),
      { kind: "manual", id: "gate", title: "Ship it?" },
      command("after", "echo after the gate"),
    ]),
  ],
};

function shellPids(root: string): number[] {
  const file = path.join(root, "shell-pids");
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map(Number)
    : [];
}

describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")("faults of distributed runs", () => {
  let redis: RedisServer;
  let redisDirectory: string;

  beforeAll(async () => {
    // The server outlives single tests, so its folder is not one a test removes when it ends.
    redisDirectory = mkdtempSync(path.join(os.tmpdir(), "codex-redis-"));
    redis = await startRedisServer(redisDirectory);
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(redisDirectory, { recursive: true, force: true });
  });

  it("runs the stage of a worker killed with SIGKILL again on another within 10 s; its stage processes die with it", async () => {
    const coordinatorRoot = tempRepo(CONFIG);
    const checkouts = [tempRepo(CONFIG), tempRepo(CONFIG)];
    const queue = "killed-worker";
    const workers = await Promise.all(
      checkouts.map((root) => startWorker(root, redis.url, ["--queue", queue])),
    );
    const run = startCoordinator(
      coordinatorRoot,
      ["start", "slow", "--task", "t1", "--executor", "bullmq", "--format", "json"],
      {
        CODEX_ORCHESTRATOR_REDIS_URL: redis.url,
        CODEX_ORCHESTRATOR_QUEUE: queue,
      },
    );
    await waitUntil(() => checkouts.some((root) => shellPids(root).length === 1), "the stage to start");
    const victim = checkouts.findIndex((root) => shellPids(root).length === 1);
    const survivor = 1 - victim;
    const group = shellPids(checkouts[victim]!)[0]!;
    workers[victim]!.child.kill("SIGKILL");
    const killedAt = Date.now();
    // The watchdog stops the killed worker's stage group (grace 1 s in these tests).
    await waitUntil(() => !isAlive(group), "the killed worker's stage to stop", 5_000);
    await waitUntil(() => shellPids(checkouts[survivor]!).length === 1, "the stage to run again", 12_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);

    const ended = await run.exited;
    expect(ended.code, run.stderr()).toBe(0);
    const manifest = readJson<Manifest>(onlyRunFolder(coordinatorRoot, "t1"), "manifest.json");
    expect(manifest.status).toBe("succeeded");
    const attempts = manifest.commands[0]!.attempts!;
    expect(attempts.map((attempt) => [attempt.attempt, attempt.reason, attempt.worker])).toEqual([
      [1, "stalled", workers[victim]!.id],
      [2, "exit", workers[survivor]!.id],
    ]);
    // The re-run wrote a fresh attempt: its whole output, attempt 2.
    const log = readFileSync(
      path.join(onlyRunFolder(coordinatorRoot, "t1"), "commands", "01-work.ndjson"),
      "utf8",
    );
    const output = log
      .split("\n")
      .filter((line) => line.includes('"command:stdout"'))
      .map((line) => JSON.parse(line) as { data: string; attempt: number });
    expect(
      output
        .filter((line) => line.attempt === 2)
        .map((line) => line.data)
        .join(""),
    ).toBe("begun\nended\n");
  });

  it("hands a stage back on a second SIGTERM to its worker; another worker runs it", async () => {
    const coordinatorRoot = tempRepo(CONFIG);
    const checkouts = [tempRepo(CONFIG), tempRepo(CONFIG)];
    const queue = "handed-back";
    const workers = await Promise.all(
      checkouts.map((root) => startWorker(root, redis.url, ["--queue", queue])),
    );
    const run = startCoordinator(
      coordinatorRoot,
      ["start", "slow", "--task", "t1", "--executor", "bullmq", "--format", "json"],
      { CODEX_ORCHESTRATOR_REDIS_URL: redis.url, CODEX_ORCHESTRATOR_QUEUE: queue },
    );
    await waitUntil(() => checkouts.some((root) => shellPids(root).length === 1), "the stage to start");
    const leaving = checkouts.findIndex((root) => shellPids(root).length === 1);
    workers[leaving]!.child.kill("SIGTERM");
    await workers[leaving]!.waitFor(/finishing the running stages/);
    workers[leaving]!.child.kill("SIGTERM");
    expect((await workers[leaving]!.exited).code).toBe(0);
    expect(isAlive(shellPids(checkouts[leaving]!)[0]!)).toBe(false);

    const ended = await run.exited;
    expect(ended.code, run.stderr()).toBe(0);
    const manifest = readJson<Manifest>(onlyRunFolder(coordinatorRoot, "t1"), "manifest.json");
    expect(manifest.commands[0]!.attempts!.map((attempt) => [attempt.reason, attempt.worker])).toEqual([
      ["stalled", workers[leaving]!.id],
      ["exit", workers[1 - leaving]!.id],
    ]);
  });

  it("stops the stages on the workers when the coordinator gets SIGTERM", async () => {
    const coordinatorRoot = tempRepo(CONFIG);
    const checkout = tempRepo(CONFIG);
    const worker = await startWorker(checkout, redis.url, ["--queue", "cancelled"]);
    const run = startCoordinator(
      coordinatorRoot,
      ["start", "slow", "--task", "t1", "--executor", "bullmq", "--format", "json"],
      {
        CODEX_ORCHESTRATOR_REDIS_URL: redis.url,
        CODEX_ORCHESTRATOR_QUEUE: "cancelled",
        CODEX_ORCHESTRATOR_KILL_GRACE_MS: "1000",
      },
    );
    await waitUntil(() => shellPids(checkout).length === 1, "the stage to start");
    run.child.kill("SIGTERM");
    const ended = await run.exited;
    expect(ended.code).toBe(143);
    expect(isAlive(shellPids(checkout)[0]!)).toBe(false);
    await worker.waitFor(/finished \S+ work attempt 1: cancelled/);
    const manifest = readJson<Manifest>(onlyRunFolder(coordinatorRoot, "t1"), "manifest.json");
    expect(manifest.status).toBe("cancelled");
  });

  it("re-attaches a resumed coordinator to the stage its killed predecessor left running; the stage runs once", async () => {
    const coordinatorRoot = tempRepo(CONFIG);
    const checkout = tempRepo(CONFIG);
    await startWorker(checkout, redis.url, ["--queue", "reattach"]);
    const env = { CODEX_ORCHESTRATOR_REDIS_URL: redis.url, CODEX_ORCHESTRATOR_QUEUE: "reattach" };
    const run = startCoordinator(
      coordinatorRoot,
      ["start", "slow", "--task", "t1", "--executor", "bullmq"],
      env,
    );
    await waitUntil(() => shellPids(checkout).length === 1, "the stage to start");
    run.child.kill("SIGKILL");
    await run.exited;
    const runId = path.basename(onlyRunFolder(coordinatorRoot, "t1"));
    const resumed = runCliJson(coordinatorRoot, ["resume", runId, "--executor", "bullmq"], { env });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.json.status).toBe("succeeded");
    expect(shellPids(checkout)).toHaveLength(1);
    const manifest = readJson<Manifest>(onlyRunFolder(coordinatorRoot, "t1"), "manifest.json");
    const work = manifest.commands[0]!;
    expect(work.status).toBe("succeeded");
    expect(work.attempts!.filter((attempt) => attempt.completed_at !== null)).toHaveLength(1);
    // The resumed attempt holds the stage's whole output, once.
    const log = readFileSync(
      path.join(onlyRunFolder(coordinatorRoot, "t1"), "commands", "01-work.ndjson"),
      "utf8",
    );
    const last = work.attempts!.at(-1)!.attempt;
    const output = log
      .split("\n")
      .filter((line) => line.includes('"command:stdout"'))
      .map((line) => JSON.parse(line) as { data: string; attempt: number })
      .filter((line) => line.attempt === last);
    expect(output.map((line) => line.data).join("")).toBe("begun\nended\n");
  });

  it("pauses at a gate without a worker, and finishes on the workers once approved and resumed", async () => {
    const coordinatorRoot = tempRepo(CONFIG);
    const checkout = tempRepo(CONFIG);
    const worker = await startWorker(checkout, redis.url, ["--queue", "gates"]);
    const env = { CODEX_ORCHESTRATOR_REDIS_URL: redis.url, CODEX_ORCHESTRATOR_QUEUE: "gates" };
    const paused = runCliJson(
      coordinatorRoot,
      ["start", "gated", "--task", "t1", "--executor", "bullmq", "--approval-policy", "pause"],
      { env },
    );
    expect(paused.json.status).toBe("awaiting_approval");
    const runId = paused.json.run_id as string;
    expect(runCliJson(coordinatorRoot, ["approve", runId, "--actor", "lead"]).status).toBe(0);
    const resumed = runCliJson(coordinatorRoot, ["resume", runId, "--executor", "bullmq"], { env });
    expect(resumed.json.status, resumed.stderr).toBe("succeeded");
    await worker.waitFor(/finished \S+ after attempt 1/);
    expect(worker.log()).not.toMatch(/running \S+ gate/);
  });

  it("runs a stage again when Redis comes back empty within the wait, and the run succeeds", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "codex-redis-blip-"));
    const own = await startRedisServer(directory);
    try {
      const coordinatorRoot = tempRepo(CONFIG);
      const checkout = tempRepo(CONFIG);
      const worker = await startWorker(checkout, own.url, ["--queue", "blip"]);
      const env = { CODEX_ORCHESTRATOR_REDIS_URL: own.url, CODEX_ORCHESTRATOR_QUEUE: "blip" };
      const run = startCoordinator(
        coordinatorRoot,
        ["start", "slow", "--task", "t1", "--executor", "bullmq", "--format", "json"],
        env,
      );
      await waitUntil(() => shellPids(checkout).length === 1, "the stage to start");
      const [first] = shellPids(checkout);
      await own.restart();
      // The worker loses its lock on the job Redis forgot, and stops that stage.
      await waitUntil(() => !isAlive(first!), "the forgotten attempt to stop", 15_000);
      const ended = await run.exited;
      expect(ended.code, `${run.stderr()}\n${worker.log()}`).toBe(0);
      const manifest = readJson<Manifest>(onlyRunFolder(coordinatorRoot, "t1"), "manifest.json");
      expect(manifest.status).toBe("succeeded");
      expect(manifest.commands[0]!.attempts!.map((attempt) => attempt.reason)).toEqual(["stalled", "exit"]);
    } finally {
      await own.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("fails the run executor:unavailable when Redis stays away, and resume finishes it once Redis is back", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "codex-redis-lost-"));
    const own = await startRedisServer(directory);
    try {
      const coordinatorRoot = tempRepo(CONFIG);
      const checkout = tempRepo(CONFIG);
      const worker = await startWorker(checkout, own.url, ["--queue", "lost"]);
      const env = {
        CODEX_ORCHESTRATOR_REDIS_URL: own.url,
        CODEX_ORCHESTRATOR_QUEUE: "lost",
        CODEX_ORCHESTRATOR_REDIS_UNAVAILABLE_AFTER_MS: "2000",
      };
      const run = startCoordinator(
        coordinatorRoot,
        ["start", "slow", "--task", "t1", "--executor", "bullmq", "--format", "json"],
        env,
      );
      await waitUntil(() => shellPids(checkout).length === 1, "the stage to start");
      await own.stop();
      const ended = await run.exited;
      expect(ended.code).not.toBe(0);
      const failed = readJson<Manifest>(onlyRunFolder(coordinatorRoot, "t1"), "manifest.json");
      expect(failed.status).toBe("failed");
      expect(failed.status_detail).toBe("executor:unavailable");
      await own.restart();
      await sleep(500);
      const runId = path.basename(onlyRunFolder(coordinatorRoot, "t1"));
      const resumed = runCliJson(coordinatorRoot, ["resume", runId, "--executor", "bullmq"], { env });
      expect(resumed.json.status, `${resumed.stderr}\n${worker.log()}`).toBe("succeeded");
    } finally {
      await own.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJson, runCli, runCliJson } from "../helpers/cli.js";
import { startRedisServer, type RedisServer } from "../helpers/redis-server.js";
import { command, pipeline, tempRepo } from "../helpers/repo.js";
import { tempDir } from "../helpers/temp-dir.js";
import { Queue } from "../../packages/executor-bullmq/node_modules/bullmq/dist/esm/index.js";
import { comparableLog, onlyRunFolder, sleep, startCoordinator, startWorker } from "./support.js";

// 20 stages in a graph: 4 independent roots, each with a chain and a fan-in at the end. Their output
// has stderr, a UTF-8 character split across writes, a stage-env secret and a configured secret.
function twentyStages(): Record<string, unknown>[] {
  const stages: Record<string, unknown>[] = [];
  for (let root = 1; root <= 4; root += 1) {
    stages.push(
      command(
        `r${root}`,
        `echo root ${root}; printf 'caf\\303'; sleep 0.2; printf '\\251\\n'; echo warn ${root} >&2`,
        {
          needs: [],
        },
      ),
    );
    for (let step = 1; step <= 3; step += 1)
      stages.push(
        command(
          `r${root}s${step}`,
          `echo "step ${step} of ${root} token=$STAGE_TOKEN"; echo hunter2-secret; sleep 0.1`,
          {
            needs: [step === 1 ? `r${root}` : `r${root}s${step - 1}`],
            env: { STAGE_TOKEN: `tok-${root}-${step}-value` },
          },
        ),
      );
  }
  stages.push(command("join", "seq 1 2000; echo done >&2", { needs: ["r1s3", "r2s3", "r3s3", "r4s3"] }));
  stages.push(command("tail1", "echo tail one", { needs: ["join"] }));
  stages.push(command("tail2", "echo tail two; exit 4", { needs: ["join"], allowFailure: true }));
  stages.push(command("last", "printf 'no newline at the end'", { needs: ["tail1", "tail2"] }));
  return stages;
}

const CONFIG = {
  pipelines: [
    pipeline("graph20", twentyStages()),
    pipeline("marked", [command("mark", 'echo ran > "$CODEX_ORCHESTRATOR_ROOT/marked-ran"')]),
    pipeline("nested", [
      command("outer", "echo outer"),
      { kind: "subpipeline", id: "inner", title: "Inner", pipeline: "leaf" },
    ]),
    pipeline("leaf", [
      command("leaf1", "echo leaf one", { needs: [] }),
      command("leaf2", "echo leaf two", { needs: [] }),
    ]),
    pipeline("sleepy", [command("nap", "sleep 2; echo rested")]),
    pipeline("worker-secret", [
      command(
        "show",
        'printf "key=%s\\n" "$WORKER_API_TOKEN"; printf "half=%s" "$WORKER_API_TOKEN" | head -c 9; echo; printf "caf\\303"; sleep 0.2; printf "\\251\\n"',
      ),
    ]),
  ],
  redact: { values: ["hunter2-secret"] },
};

describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")("stages on workers through BullMQ", () => {
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

  it("spreads a 20-stage graph over two workers; the run folder matches a local run's, output byte for byte", async () => {
    const local = tempRepo(CONFIG);
    const distributed = tempRepo(CONFIG);
    const workerCheckout = tempRepo(CONFIG);
    const queue = ["--queue", "spread"];
    const first = await startWorker(workerCheckout, redis.url, [...queue, "--concurrency", "2"]);
    const second = await startWorker(workerCheckout, redis.url, [...queue, "--concurrency", "2"]);

    const localRun = runCliJson(local, ["start", "graph20", "--task", "t1"]);
    expect(localRun.status).toBe(0);
    const run = runCliJson(distributed, ["start", "graph20", "--task", "t1", "--executor", "bullmq"], {
      env: { CODEX_ORCHESTRATOR_REDIS_URL: redis.url, CODEX_ORCHESTRATOR_QUEUE: "spread" },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.json.status).toBe("succeeded");

    const localFolder = onlyRunFolder(local, "t1");
    const folder = onlyRunFolder(distributed, "t1");
    // The same artifacts: every file a local run leaves, and no other.
    expect(readdirSync(folder).sort()).toEqual(readdirSync(localFolder).sort());
    expect(readdirSync(path.join(folder, "commands")).sort()).toEqual(
      readdirSync(path.join(localFolder, "commands")).sort(),
    );
    expect(readdirSync(path.join(folder, "errors")).sort()).toEqual(
      readdirSync(path.join(localFolder, "errors")).sort(),
    );
    for (const file of readdirSync(path.join(localFolder, "commands")))
      expect(comparableLog(path.join(folder, "commands", file)), file).toEqual(
        comparableLog(path.join(localFolder, "commands", file)),
      );
    const text = readFileSync(path.join(folder, "runner.ndjson"), "utf8");
    expect(text).toContain("café");
    expect(text).not.toContain("hunter2-secret");
    expect(text).not.toMatch(/tok-\d-\d-value/);

    const manifest = readJson<{
      commands: { id: string; status: string; attempts: { worker?: string; host?: string }[] }[];
    }>(folder, "manifest.json");
    const localManifest = readJson<{ commands: { id: string; status: string }[] }>(
      localFolder,
      "manifest.json",
    );
    expect(manifest.commands.map((entry) => [entry.id, entry.status])).toEqual(
      localManifest.commands.map((entry) => [entry.id, entry.status]),
    );
    const workers = new Set(
      manifest.commands.flatMap((entry) => entry.attempts.map((attempt) => attempt.worker)),
    );
    expect(workers).toEqual(new Set([first.id, second.id]));
    expect(
      manifest.commands.every((entry) => entry.attempts.every((attempt) => typeof attempt.host === "string")),
    ).toBe(true);
    // Readers work unchanged.
    const status = runCliJson(distributed, ["status", run.json.run_id as string]);
    expect(status.status).toBe(0);
    await first.waitFor(/running \S+ \S+ attempt 1/);
  });

  it("refuses a job whose plan hash differs, or that carries anything but run, stage and plan", async () => {
    const coordinator = tempRepo(CONFIG);
    const checkout = tempRepo(CONFIG);
    const worker = await startWorker(checkout, redis.url, ["--queue", "tamper"]);
    const plan = runCliJson<{ plan_hash: string }>(coordinator, ["plan", "marked"]);
    const good = {
      runId: "2026-01-01T00-00-00-000Z-0badc0de",
      taskId: "0101",
      pipelineId: "marked",
      stageId: "mark",
      index: 1,
      attempt: 1,
      planHash: plan.json.plan_hash,
      killGraceMs: 1000,
    };
    const queue = new Queue("tamper", { connection: { path: redis.socket } });
    try {
      const otherPlan = await queue.add(
        "stage",
        { ...good, planHash: `sha256:${"0".repeat(64)}` },
        { jobId: "a" + "1" },
      );
      const smuggled = await queue.add("stage", { ...good, command: "touch smuggled" }, { jobId: "b1" });
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const states = await Promise.all([queue.getJobState("a1"), queue.getJobState("b1")]);
        if (states.every((state) => state === "failed")) break;
        await sleep(100);
      }
      expect(await queue.getJobState(otherPlan.id!)).toBe("failed");
      expect(await queue.getJobState(smuggled.id!)).toBe("failed");
      const [refusedPlan, refusedFields] = await Promise.all([
        queue.getJob("a1").then((job) => job?.failedReason),
        queue.getJob("b1").then((job) => job?.failedReason),
      ]);
      expect(refusedPlan).toMatch(/refused by worker .*plan hash sha256:0+ differs/);
      expect(refusedFields).toMatch(/refused by worker .*not a stage job/);
      expect(existsSync(path.join(checkout, "marked-ran"))).toBe(false);
      expect(existsSync(path.join(checkout, "smuggled"))).toBe(false);
      expect(worker.log()).toContain("refused job a1");

      // The same job with this checkout's plan runs.
      await queue.add("stage", good, { jobId: "c1" });
      await worker.waitFor(/finished \S+ mark attempt 1: exit 0/);
      expect(readFileSync(path.join(checkout, "marked-ran"), "utf8")).toBe("ran\n");
    } finally {
      await queue.close();
    }
  });

  it("sends a subpipeline's stages to the queue too, under the child run", async () => {
    const coordinator = tempRepo(CONFIG);
    const checkout = tempRepo(CONFIG);
    const worker = await startWorker(checkout, redis.url, ["--queue", "nested"]);
    const run = runCliJson(coordinator, ["start", "nested", "--task", "t1", "--executor", "bullmq"], {
      env: { CODEX_ORCHESTRATOR_REDIS_URL: redis.url, CODEX_ORCHESTRATOR_QUEUE: "nested" },
    });
    expect(run.json.status, run.stderr).toBe("succeeded");
    for (const stage of ["outer", "leaf1", "leaf2"])
      await worker.waitFor(new RegExp(`finished \\S+ ${stage} attempt 1: exit 0`));
  });

  it("redacts a secret only the worker's environment holds before its output leaves the worker", async () => {
    const coordinator = tempRepo(CONFIG);
    const checkout = tempRepo(CONFIG);
    const secret = "worker-only-secret-4711";
    const worker = await startWorker(checkout, redis.url, ["--queue", "worker-secret"], {
      WORKER_API_TOKEN: secret,
    });
    const run = runCliJson(coordinator, ["start", "worker-secret", "--task", "t1", "--executor", "bullmq"], {
      env: { CODEX_ORCHESTRATOR_REDIS_URL: redis.url, CODEX_ORCHESTRATOR_QUEUE: "worker-secret" },
    });
    expect(run.json.status, run.stderr).toBe("succeeded");
    await worker.waitFor(/finished \S+ show attempt 1: exit 0/);
    const folder = onlyRunFolder(coordinator, "t1");
    const output = readFileSync(path.join(folder, "commands", "01-show.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; data?: string })
      .filter((event) => event.type === "command:stdout")
      .map((event) => event.data)
      .join("");
    // The whole value is replaced; its first 4 characters alone are not a secret; text around it
    // (a character split between two writes too) arrives unchanged.
    expect(output).toBe("key=[REDACTED]\nhalf=work\ncafé\n");
    for (const file of ["runner.ndjson", "manifest.json"])
      expect(readFileSync(path.join(folder, file), "utf8")).not.toContain(secret);
  });

  it("finishes its running stage on SIGTERM, then exits 0; a bad config exits 2 with one line", async () => {
    const coordinator = tempRepo(CONFIG);
    const checkout = tempRepo(CONFIG);
    const worker = await startWorker(checkout, redis.url, ["--queue", "sigterm"]);
    const env = { CODEX_ORCHESTRATOR_REDIS_URL: redis.url, CODEX_ORCHESTRATOR_QUEUE: "sigterm" };
    const run = startCoordinator(
      coordinator,
      ["start", "sleepy", "--task", "t1", "--executor", "bullmq"],
      env,
    );
    await worker.waitFor(/running \S+ nap attempt 1/);
    worker.child.kill("SIGTERM");
    expect((await worker.exited).code).toBe(0);
    expect(worker.log()).toMatch(/finished \S+ nap attempt 1: exit 0/);
    expect((await run.exited).code).toBe(0);

    const broken = tempRepo({ pipelines: [{ id: "x" }] });
    const refused = runCli(broken, ["worker"], { env: { CODEX_ORCHESTRATOR_REDIS_URL: redis.url } });
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 with one line, leaving nothing behind, when Redis cannot be reached or its URL is bad", () => {
    const root = tempRepo(CONFIG);
    const nowhere = `unix://${path.join(tempDir(), "none.sock")}`;
    for (const [args, url] of [
      [["start", "marked", "--executor", "bullmq"], nowhere],
      [["worker"], nowhere],
      [["start", "marked", "--executor", "bullmq"], "http://example.invalid/"],
      [["start", "marked", "--executor", "bullmq"], "redis://user:s3cret-pw@127.0.0.1:1/"],
    ] as const) {
      const result = runCli(root, args, { env: { CODEX_ORCHESTRATOR_REDIS_URL: url } });
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).not.toContain("s3cret-pw");
    }
    const noUrl = runCli(root, ["start", "marked", "--executor", "bullmq"]);
    expect(noUrl.status).toBe(2);
    expect(noUrl.stderr).toContain("CODEX_ORCHESTRATOR_REDIS_URL");
    const unknown = runCli(root, ["start", "marked", "--executor", "ssh"]);
    expect(unknown.status).toBe(2);
    expect(existsSync(path.join(root, ".runs"))).toBe(false);
  });
});

// The bullmq executor against the local one in the same run: 200 `true` stages through two workers
// (the cost per stage of the queue, the output stream and the worker), and 16 independent
// `sleep 1` stages over four workers of concurrency 2 (the stages really run side by side). Starts
// its own redis-server on a unix socket and its own workers; stops them at the end.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { ms, sec, times } from "../lib/report.mjs";
import { cli } from "../lib/paths.mjs";
import { clearRuns, commandStages, createTempRepo } from "../lib/temp-repo.mjs";
import { orchestratorEnv, timeStart } from "../lib/orchestrator.mjs";
import { measureInterleaved } from "../lib/timing.mjs";

const TRUE_STAGES = 200;
const SLEEP_STAGES = 16;

async function startRedis(directory) {
  const socket = path.join(directory, "r.sock");
  const child = spawn(
    "redis-server",
    ["--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited ${child.exitCode}`);
    const up = await new Promise((resolve) => {
      const connection = net.connect(socket);
      connection.once("connect", () => (connection.end(), resolve(true)));
      connection.once("error", () => resolve(false));
    });
    if (up) return { socket, child };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill("SIGKILL");
  throw new Error("redis-server did not start");
}

// A worker's stderr goes to a file (the timed runs block this process, so a pipe could fill up).
async function startWorker(root, url, queue, concurrency, logFile) {
  const log = fs.openSync(logFile, "w");
  const child = spawn(
    process.execPath,
    [cli, "worker", "--queue", queue, "--concurrency", String(concurrency)],
    {
      cwd: root,
      env: orchestratorEnv(root, { CODEX_ORCHESTRATOR_REDIS_URL: url }),
      stdio: ["ignore", "ignore", log],
    },
  );
  fs.closeSync(log);
  const deadline = Date.now() + 20_000;
  while (!fs.readFileSync(logFile, "utf8").includes("taking stages")) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`worker did not start: ${fs.readFileSync(logFile, "utf8")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

async function stopAll(children) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", resolve);
          child.kill("SIGTERM");
        }),
    ),
  );
}

export default {
  name: "distributed",
  summary: `${TRUE_STAGES} \`true\` stages via 2 workers: ≤ 15 ms/stage over local; ${SLEEP_STAGES} × sleep 1 on 4 workers × 2: ≤ 2.6 s`,
  async run(context) {
    const { quick, report, workDir } = context;
    const runs = quick ? 1 : 3;
    const redisDirectory = fs.mkdtempSync(path.join(workDir, "redis-"));
    const redis = await startRedis(redisDirectory);
    const url = `unix://${redis.socket}`;
    const workers = [];
    try {
      const trues = [
        { id: "trues", title: "Trues", stages: commandStages(TRUE_STAGES, "true", { needs: [] }) },
      ];
      const sleeps = [
        { id: "sleeps", title: "Sleeps", stages: commandStages(SLEEP_STAGES, "sleep 1", { needs: [] }) },
      ];
      const local = createTempRepo(context, "distributed-local", [...trues, ...sleeps]);
      const coordinator = createTempRepo(context, "distributed-coordinator", [...trues, ...sleeps]);
      const checkout = createTempRepo(context, "distributed-worker", [...trues, ...sleeps]);
      const env = { CODEX_ORCHESTRATOR_REDIS_URL: url };
      const start =
        (root, pipeline, extraArgs, extraEnv = {}) =>
        () => {
          clearRuns(root);
          return timeStart(root, pipeline, { extraArgs, env: { ...env, ...extraEnv } });
        };

      const perStage = `${TRUE_STAGES} independent \`true\` stages, --concurrency 2: 2 workers vs local`;
      await report.attempt(perStage, "≤ 15 ms per stage over local", async () => {
        for (let index = 0; index < 2; index += 1)
          workers.push(await startWorker(checkout, url, "pairs", 1, path.join(workDir, `pair-${index}.log`)));
        const timed = measureInterleaved(
          {
            local: start(local, "trues", ["--concurrency", "2"]),
            bullmq: start(coordinator, "trues", ["--concurrency", "2", "--executor", "bullmq"], {
              CODEX_ORCHESTRATOR_QUEUE: "pairs",
            }),
          },
          runs,
        );
        const extra = (timed.bullmq.median - timed.local.median) / TRUE_STAGES;
        report.record({
          scenario: perStage,
          baseline: `local: ${sec(timed.local.median)}`,
          ours: `bullmq: ${sec(timed.bullmq.median)} (${ms(extra)} per stage more)`,
          ratio: times(timed.bullmq.median / timed.local.median),
          target: "≤ 15 ms per stage",
          pass: extra <= 15,
          note: `median of ${runs}`,
          raw: timed,
        });
      });

      const wide = `${SLEEP_STAGES} independent \`sleep 1\` stages on 4 workers × concurrency 2`;
      await report.attempt(wide, "≤ 2.6 s", async () => {
        for (let index = 0; index < 4; index += 1)
          workers.push(await startWorker(checkout, url, "wide", 2, path.join(workDir, `wide-${index}.log`)));
        const timed = measureInterleaved(
          {
            local: start(local, "sleeps", ["--concurrency", "8"]),
            bullmq: start(coordinator, "sleeps", ["--concurrency", "8", "--executor", "bullmq"], {
              CODEX_ORCHESTRATOR_QUEUE: "wide",
            }),
          },
          runs,
        );
        report.record({
          scenario: wide,
          baseline: `local, --concurrency 8: ${sec(timed.local.median)}`,
          ours: sec(timed.bullmq.median),
          ratio: times(timed.bullmq.median / timed.local.median),
          target: "≤ 2.6 s",
          pass: timed.bullmq.median <= 2600,
          note: `median of ${runs}`,
          raw: timed,
        });
      });
    } finally {
      await stopAll(workers);
      redis.child.kill("SIGTERM");
    }
  },
};

import { CodexOrchestrator, resolveExecutorSettings } from "@codex/orchestrator-core";
import { parseConcurrency } from "../usage/concurrency-argument.js";
import { rootOptions } from "../usage/root-option.js";

/**
 * `worker [--queue <name>] [--concurrency <n>]`: runs stages from the queue in this checkout until
 * SIGTERM or SIGINT (then it finishes its running stages; a second signal stops them and hands
 * their jobs back). A bad Redis URL, an unreachable Redis or a bad config: one line, exit 2.
 */
export async function runWorker(argv: {
  queue?: string | undefined;
  concurrency?: string | undefined;
  root?: string | undefined;
}): Promise<number> {
  const concurrency = argv.concurrency === undefined ? 1 : parseConcurrency(argv.concurrency);
  const env = process.env;
  const orchestrator = new CodexOrchestrator(rootOptions(argv));
  const settings = resolveExecutorSettings({
    flag: "bullmq",
    env,
    config: orchestrator.workspace.config?.config.executor,
    queueFlag: argv.queue,
  });
  if (settings.kind !== "bullmq") throw new Error("unreachable: a worker always uses the queue");
  const { StageWorker, parseRedisUrl } = await import("@codex/orchestrator-executor-bullmq");
  const graceFromEnv = Number(env.CODEX_ORCHESTRATOR_KILL_GRACE_MS);
  const worker = await StageWorker.start({
    locations: orchestrator.locations,
    redis: parseRedisUrl(settings.redisUrl),
    queue: settings.queue,
    concurrency,
    env,
    cacheMaxSize: orchestrator.cacheMaxSize,
    killGraceMs: Number.isFinite(graceFromEnv) && graceFromEnv > 0 ? graceFromEnv : 5_000,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (name: NodeJS.Signals) => {
      signals += 1;
      if (signals === 1) {
        process.stderr.write(`worker ${worker.id}: received ${name}, finishing the running stages…\n`);
        void worker.stop().then(resolve);
      } else {
        process.stderr.write(`worker ${worker.id}: received ${name} again, stopping the running stages…\n`);
        void worker.stopNow().then(resolve);
      }
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  process.stderr.write(`worker ${worker.id}: stopped\n`);
  return 0;
}

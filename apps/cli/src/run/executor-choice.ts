import {
  resolveExecutorSettings,
  type CodexOrchestrator,
  type StageExecutor,
} from "@codex/orchestrator-core";

/**
 * The executor of `start` or `resume`: nothing for `local` (the engine's default), or a connected
 * `bullmq` executor, whose package (BullMQ, ioredis) is loaded only then. Redis unreachable fails
 * here, before the run is created: one line, exit 2.
 */
export async function openExecutor(
  orchestrator: CodexOrchestrator,
  flag: string | undefined,
): Promise<StageExecutor | undefined> {
  const env = process.env;
  // The config is only read when something may choose another executor than `local`.
  const settings = resolveExecutorSettings({
    flag,
    env,
    config: orchestrator.workspace.config?.config.executor,
  });
  if (settings.kind === "local") return undefined;
  const { BullmqExecutor, parseRedisUrl } = await import("@codex/orchestrator-executor-bullmq");
  return BullmqExecutor.connect({
    redis: parseRedisUrl(settings.redisUrl),
    queue: settings.queue,
    unavailableAfterMs: settings.unavailableAfterMs,
    cacheMaxSize: orchestrator.cacheMaxSize,
  });
}

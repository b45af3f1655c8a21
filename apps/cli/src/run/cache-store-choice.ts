import { resolveExecutorSettings, type CacheStore, type CodexOrchestrator } from "@codex/orchestrator-core";

/** The store `cache ls` and `cache prune` act on, with where it is (for messages). */
export interface ChosenCacheStore {
  store: CacheStore;
  where: string;
  close(): void;
}

/**
 * The local store under the runs directory, or, when the executor (CODEX_ORCHESTRATOR_EXECUTOR,
 * else the config's `executor.kind`) is `bullmq`, the shared store in its Redis: what runs of
 * that executor read and write. Redis unreachable: one line, exit 2.
 */
export async function openCacheStore(orchestrator: CodexOrchestrator): Promise<ChosenCacheStore> {
  const settings = resolveExecutorSettings({
    flag: undefined,
    env: process.env,
    config: orchestrator.workspace.config?.config.executor,
  });
  if (settings.kind === "local") {
    const store = orchestrator.cacheStore;
    return { store, where: store.directory, close: () => {} };
  }
  const { checkRedis, openConnection, parseRedisUrl, RedisCacheStore } =
    await import("@codex/orchestrator-executor-bullmq");
  const target = parseRedisUrl(settings.redisUrl);
  await checkRedis(target);
  const connection = openConnection(target, "codex-cache");
  connection.on("error", () => {});
  const store = new RedisCacheStore(connection, { display: target.display });
  return { store, where: store.directory, close: () => connection.disconnect() };
}

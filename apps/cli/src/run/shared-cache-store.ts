import type { CacheStore } from "@codex/orchestrator-core/plan";

/** An opened stage cache store, where it is (for messages), and how to let go of it. */
export interface SharedCacheStore {
  store: CacheStore;
  where: string;
  close(): void;
}

/** Connects to the shared store at `redisUrl`; Redis unreachable or a bad URL: one line, exit 2. */
export async function openSharedCacheStore(redisUrl: string, clientName: string): Promise<SharedCacheStore> {
  // Loaded only here: a local run or plan never loads BullMQ or ioredis.
  const { checkRedis, openConnection, parseRedisUrl, RedisCacheStore } =
    await import("@codex/orchestrator-executor-bullmq");
  const target = parseRedisUrl(redisUrl);
  await checkRedis(target);
  const connection = openConnection(target, clientName);
  connection.on("error", () => {});
  const store = new RedisCacheStore(connection, { display: target.display });
  return { store, where: store.directory, close: () => connection.disconnect() };
}

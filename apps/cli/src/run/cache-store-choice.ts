import { resolveExecutorSettings, type CodexOrchestrator } from "@codex/orchestrator-core";
import { openSharedCacheStore, type SharedCacheStore } from "./shared-cache-store.js";

/** The store `cache ls` and `cache prune` act on, with where it is (for messages). */
export type ChosenCacheStore = SharedCacheStore;

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
  return openSharedCacheStore(settings.redisUrl, "codex-cache");
}

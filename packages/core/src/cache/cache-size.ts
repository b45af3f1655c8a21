import { parseSize, type CacheSettings } from "@codex/orchestrator-schema";

/** The local cache's size limit when the root config sets none: 5 GiB. */
export const DEFAULT_CACHE_MAX_SIZE = 5 * 1024 ** 3;

/** The size limit the root config's `cache.maxSize` sets, else {@link DEFAULT_CACHE_MAX_SIZE}. */
export function cacheMaxSize(settings: CacheSettings | undefined): number {
  const configured = settings?.maxSize;
  return configured === undefined
    ? DEFAULT_CACHE_MAX_SIZE
    : (parseSize(configured) ?? DEFAULT_CACHE_MAX_SIZE);
}

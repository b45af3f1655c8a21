import { CacheEntryError } from "../errors.js";
import type { CacheEntryMeta } from "./cache-store.js";
import { CACHE_FORMAT_VERSION } from "./stage-key.js";

/**
 * An entry's `entry.json` text as a {@link CacheEntryMeta}, or a CacheEntryError naming `label`
 * when it is cut short, not JSON, or of another format version: such an entry is a miss.
 */
export function parseEntryMeta(text: string, label: string): CacheEntryMeta {
  let meta: CacheEntryMeta;
  try {
    meta = JSON.parse(text) as CacheEntryMeta;
  } catch (error) {
    throw new CacheEntryError(`cache entry ${label}: entry.json is not JSON (truncated?)`, { cause: error });
  }
  if (
    meta === null ||
    typeof meta !== "object" ||
    meta.format !== CACHE_FORMAT_VERSION ||
    typeof meta.key !== "string" ||
    !Array.isArray(meta.outputs) ||
    typeof meta.log?.sha256 !== "string" ||
    typeof meta.source?.run_id !== "string" ||
    typeof meta.fingerprint?.inputs !== "object"
  )
    throw new CacheEntryError(`cache entry ${label}: entry.json is not a cache entry of this version`);
  return meta;
}

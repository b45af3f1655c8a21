import path from "node:path";
import { CacheEntryError } from "../errors.js";

/**
 * `relative` as an absolute path under `root`, or a CacheEntryError when it is absolute, climbs
 * out with `..`, or is empty: an entry can never name a place outside the repository.
 */
export function outputPathInside(root: string, relative: string): string {
  const normalized = path.posix.normalize(relative);
  if (
    relative === "" ||
    relative.includes("\0") ||
    path.posix.isAbsolute(relative) ||
    path.win32.isAbsolute(relative) ||
    normalized === "." ||
    normalized === ".." ||
    normalized.startsWith("../")
  )
    throw new CacheEntryError(
      `cache entry names an output outside the repository: ${JSON.stringify(relative)}`,
    );
  return path.join(root, ...normalized.split("/"));
}

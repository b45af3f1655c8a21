import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { glob } from "tinyglobby";

// Enough files read at once to keep the disk busy, few enough to stay far below the fd limit.
const HASH_CONCURRENCY = 16;

/**
 * The files (and, with `directories`, folders) that `patterns` match under `cwd`, as paths
 * relative to `cwd` with forward slashes, sorted. Links are listed, never followed; `!pattern`
 * and `ignore` exclude. Dot files are matched like any other.
 */
export async function matchPaths(options: {
  cwd: string;
  patterns: readonly string[];
  ignore?: readonly string[];
  directories?: boolean;
}): Promise<string[]> {
  if (options.patterns.every((pattern) => pattern.startsWith("!"))) return [];
  const found = await glob([...options.patterns], {
    cwd: options.cwd,
    ignore: [...(options.ignore ?? [])],
    dot: true,
    onlyFiles: options.directories !== true,
    followSymbolicLinks: false,
    expandDirectories: false,
  });
  return [...new Set(found.map((entry) => entry.replace(/\/+$/, "")).filter((entry) => entry !== ""))].sort();
}

/** The sha256 of a file's bytes, read as a stream (a large input never sits in memory whole). */
export function digestFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    const stream = fs.createReadStream(file);
    stream.on("data", (chunk) => hash.update(chunk));
    stream.on("error", reject);
    stream.on("end", () => resolve(hash.digest("hex")));
  });
}

/**
 * A digest of each path (relative to `cwd`): a file's content hash, `link:<target>` for a
 * symbolic link (never followed), `dir` for a folder. Read with at most 16 files open at once.
 */
export async function digestPaths(cwd: string, paths: readonly string[]): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const relative = paths[next++] as string;
      const file = path.join(cwd, relative);
      const stat = await fs.promises.lstat(file);
      if (stat.isSymbolicLink()) digests.set(relative, `link:${await fs.promises.readlink(file)}`);
      else if (stat.isDirectory()) digests.set(relative, "dir");
      else digests.set(relative, await digestFile(file));
    }
  };
  await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, paths.length) }, worker));
  return new Map([...digests].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
}

/** `sha256:<hex>` of a text. */
export function digestText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

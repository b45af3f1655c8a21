import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import picomatch from "picomatch";

// Enough files read at once to keep the disk busy, few enough to stay far below the fd limit.
const HASH_CONCURRENCY = 16;

/**
 * The files (and, with `directories`, folders) that `patterns` match under `cwd`, as paths
 * relative to `cwd` with forward slashes, sorted. Links are listed as links and never followed
 * (so neither a link to a folder nor one leading out of the repository is walked); `!pattern`
 * and `ignore` exclude, and an excluded folder is not walked. Dot files match like any other.
 * Only the folders the patterns start from are walked (`src/**` never reads `node_modules`).
 */
export async function matchPaths(options: {
  cwd: string;
  patterns: readonly string[];
  ignore?: readonly string[];
  directories?: boolean;
}): Promise<string[]> {
  const positive = options.patterns.filter((pattern) => !pattern.startsWith("!")).map(trimPattern);
  if (positive.length === 0) return [];
  const negative = [
    ...options.patterns
      .filter((pattern) => pattern.startsWith("!"))
      .map((pattern) => trimPattern(pattern.slice(1))),
    ...(options.ignore ?? []).map(trimPattern),
  ];
  const matches = picomatch(positive, { dot: true });
  const ignored = negative.length === 0 ? () => false : picomatch(negative, { dot: true });
  const found = new Set<string>();
  const visit = async (relative: string): Promise<void> => {
    if (relative !== "" && ignored(relative)) return;
    const stat = await fs.promises.lstat(path.join(options.cwd, relative)).catch(() => null);
    if (stat === null) return;
    if (!stat.isDirectory()) {
      if (relative !== "" && matches(relative)) found.add(relative);
      return;
    }
    if (relative !== "" && options.directories === true && matches(relative)) found.add(relative);
    const entries = await fs.promises.readdir(path.join(options.cwd, relative)).catch(() => []);
    await Promise.all(entries.map((name) => visit(relative === "" ? name : `${relative}/${name}`)));
  };
  for (const base of walkBases(positive)) await visit(base);
  return [...found].sort();
}

// The static folders the patterns start from (`src/**/*.ts` → `src`), none inside another.
function walkBases(patterns: readonly string[]): string[] {
  const bases = [
    ...new Set(patterns.map((pattern) => picomatch.scan(pattern).base.replace(/\/+$/, ""))),
  ].sort();
  return bases.filter(
    (base, index) => !bases.slice(0, index).some((other) => other === "" || base.startsWith(`${other}/`)),
  );
}

function trimPattern(pattern: string): string {
  return pattern.replace(/^\.\//, "").replace(/\/+$/, "");
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

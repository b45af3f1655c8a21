import fs from "node:fs";
import path from "node:path";
import { PersistenceError, UnsafePathError } from "../errors.js";
import { isInside, readTextIfExists } from "../files/safe-fs.js";

// The files a run folder holds by name (docs/contract.md §3).
const RUN_FILES = [
  "manifest.json",
  "runner.ndjson",
  ".heartbeat",
  ".owner.lock",
  "resume-token.json",
  ".resume-token",
  "pipeline.json",
  "run-summary.json",
];
// Its folders; every file in them is checked too.
const RUN_FOLDERS = ["commands", "errors", "approvals", "resume-events", "children"];

/**
 * Refuses a run folder in which something is a symbolic link: the run's own files and folders, and
 * the files inside those folders. Every reader and writer of the run would otherwise follow it out
 * of the runs directory. Throws {@link UnsafePathError} naming the first link found.
 */
export function assertRunFolderContained(runDir: string): void {
  for (const name of RUN_FILES) refuseLink(path.join(runDir, name));
  for (const name of RUN_FOLDERS) {
    const folder = path.join(runDir, name);
    const stats = refuseLink(folder);
    if (stats === undefined) continue;
    if (!stats.isDirectory()) throw new UnsafePathError(`Refusing to use ${folder}: it is not a directory`);
    let entries: string[];
    try {
      entries = fs.readdirSync(folder);
    } catch (error) {
      throw new PersistenceError("list", folder, error);
    }
    for (const entry of entries) refuseLink(path.join(folder, entry));
  }
}

function refuseLink(file: string): fs.Stats | undefined {
  const stats = fs.lstatSync(file, { throwIfNoEntry: false });
  if (stats?.isSymbolicLink() === true)
    throw new UnsafePathError(`Refusing to use ${file}: it is a symbolic link`);
  return stats;
}

/**
 * Reads a file a run names by path (an error file, a child's manifest) only when, links resolved,
 * its folder is inside `within` and the file itself is no link: null otherwise, or when it is
 * missing or unreadable, so nothing outside the runs directory is ever shown.
 */
export function readFileInside(file: string, within: string, maxBytes = 8 * 1024 * 1024): string | null {
  try {
    const realFolder = fs.realpathSync(path.dirname(file));
    if (!isInside(fs.realpathSync(within), realFolder)) return null;
    return readTextIfExists(file, { followLinks: false, maxBytes });
  } catch {
    return null;
  }
}

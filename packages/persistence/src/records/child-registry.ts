import path from "node:path";
import { ChildRun } from "@codex/orchestrator-schema";
import { ensureDirectoryInside, writeJsonAtomic } from "../files/safe-fs.js";
import { readEntryFiles } from "./entry-files.js";

/**
 * Records a child run in its parent's `children/` folder, one file per child. Parent and children
 * each write only their own files, so concurrent writers cannot lose each other's updates; the
 * parent folds these into `child_runs[]` whenever it writes its manifest.
 */
export function writeChildRegistration(childrenDir: string, child: ChildRun): void {
  ensureDirectoryInside(childrenDir, path.dirname(childrenDir));
  writeJsonAtomic(path.join(childrenDir, `${child.run_id}.json`), child);
}

/** Every child registered with a run, by run id (oldest first); unreadable entries are skipped. */
export function readChildRegistrations(childrenDir: string): ChildRun[] {
  return readEntryFiles(childrenDir, ChildRun);
}

/** Merges children into a list by run id, later entries winning; order of first appearance kept. */
export function mergeChildRuns(existing: readonly ChildRun[], updates: readonly ChildRun[]): ChildRun[] {
  const byId = new Map<string, ChildRun>();
  for (const child of [...existing, ...updates]) byId.set(child.run_id, child);
  return [...byId.values()];
}

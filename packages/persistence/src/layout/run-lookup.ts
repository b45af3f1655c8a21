import fs from "node:fs";
import path from "node:path";
import { findIdProblem } from "./ids.js";
import { assertRunFolderContained } from "./run-folder-containment.js";
import type { OrchestratorLocations } from "./run-paths.js";

/** Where a run was found. */
export interface FoundRun {
  taskId: string;
  runId: string;
  runDir: string;
  manifest: string;
}

function readDirectoryNames(directory: string): string[] {
  try {
    return fs
      .readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** Task ids that have runs, sorted (skips `local-mcp` and anything that is not a valid id). */
export function listTaskIds(locations: OrchestratorLocations): string[] {
  return readDirectoryNames(locations.runsDir)
    .filter((name) => name !== "local-mcp" && findIdProblem(name) === null)
    .sort();
}

// The shape createRunId gives: safe by construction, so the full check is left for other names.
const RUN_ID_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f]{8}$/;

/**
 * Run ids of one task, oldest first (run ids sort by time). Names alone, without a type check of
 * each entry, so listing 100,000 runs stays cheap: a stray file has no manifest.json under it, which
 * every caller checks before using a run.
 */
export function listRunIds(locations: OrchestratorLocations, taskId: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(locations.runsDir, taskId, "cli"));
  } catch {
    return [];
  }
  return names.filter((name) => RUN_ID_SHAPE.test(name) || findIdProblem(name) === null).sort();
}

/**
 * Finds a run by id alone. Costs one existence check per task, however many runs exist,
 * so `status <id>` does not slow down as runs accumulate. An unsafe id finds nothing.
 */
export function findRunById(locations: OrchestratorLocations, runId: string): FoundRun | null {
  // An id such as `../../other/cli/x` must not reach a manifest outside the run directories.
  if (findIdProblem(runId) !== null) return null;
  for (const taskId of listTaskIds(locations)) {
    const runDir = path.join(locations.runsDir, taskId, "cli", runId);
    const manifest = path.join(runDir, "manifest.json");
    // A run folder that a planted link leads out of the runs directory is not a run of ours:
    // resume, approve and child registrations would write through it.
    if (fs.existsSync(manifest) && staysInside(runDir, locations.runsDir)) {
      // Links planted inside the folder are refused before anyone reads or writes through them.
      assertRunFolderContained(runDir);
      return { taskId, runId, runDir, manifest };
    }
  }
  return null;
}

function staysInside(directory: string, base: string): boolean {
  try {
    const relative = path.relative(fs.realpathSync(base), fs.realpathSync(directory));
    return relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
  } catch {
    return false;
  }
}

import {
  findRunById,
  readRunOwner,
  resolveRunPaths,
  writeChildRegistration,
  type OrchestratorLocations,
} from "@codex/orchestrator-persistence";
import type { EventBus } from "../event-bus.js";
import { refreshUnownedManifest } from "./manifest-journal.js";
import type { RunSession } from "./run-session.js";

/**
 * A child tells its parent about itself (when it starts and when it stops) through a file in the
 * parent's children/ folder; the parent's recorder turns it into a `child:registered` event, at
 * once when no process owns the parent. A parent that cannot be told is a warning, never a failure.
 */
export function registerWithParent(
  session: RunSession,
  context: { locations: OrchestratorLocations; bus: EventBus },
): void {
  const manifest = session.manifest;
  if (manifest.parent_run_id === null) return;
  try {
    const parent = findRunById(context.locations, manifest.parent_run_id);
    if (parent === null) {
      context.bus.emit("warning", {
        runId: manifest.run_id,
        message: `Parent run ${manifest.parent_run_id} not found; lineage is recorded only in this run.`,
      });
      return;
    }
    const parentPaths = resolveRunPaths(context.locations, { taskId: parent.taskId, runId: parent.runId });
    writeChildRegistration(parentPaths.childrenDir, {
      run_id: manifest.run_id,
      task_id: manifest.task_id,
      pipeline_id: manifest.pipeline_id,
      status: manifest.status,
      manifest: session.manifestPath,
    });
    if (readRunOwner(parentPaths.ownerLock)?.alive !== true) refreshUnownedManifest(parentPaths);
  } catch (error) {
    context.bus.emit("warning", {
      runId: manifest.run_id,
      message: `Could not update the parent run: ${(error as Error).message}`,
    });
  }
}

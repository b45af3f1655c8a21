import { findRunById, resolveRunPaths, type OrchestratorLocations } from "@codex/orchestrator-persistence";
import type { Manifest, WaitingGate } from "@codex/orchestrator-schema";
import { withJournal } from "../record/manifest-journal.js";
import { loadRunState } from "../record/run-log.js";

// Nesting deeper than this is a loop in tampered files, not a pipeline.
const MAX_DEPTH = 32;

const OWN_GATE = /^approval:(.+):(pending|rejected)$/;
const CHILD_STAGE = /^subpipeline:(.+):(awaiting_approval|failed)$/;

/**
 * The gate that stops a run: its own gate, waiting or rejected, or, when a subpipeline stage paused
 * or failed it, the gate that stops its child run (followed down). Approving that gate and resuming
 * this run continues them all: the resumed stage resumes its child run. Null when no gate stops it.
 */
export function findWaitingGate(locations: OrchestratorLocations, manifest: Manifest): WaitingGate | null {
  const via: string[] = [];
  let current = manifest;
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    const detail = current.status_detail;
    if ((current.status !== "awaiting_approval" && current.status !== "failed") || detail === null)
      return null;
    const own = OWN_GATE.exec(detail);
    if (own !== null && (own[2] === "pending") === (current.status === "awaiting_approval"))
      return {
        run_id: current.run_id,
        stage_id: own[1] as string,
        decision: own[2] as "pending" | "rejected",
        via,
      };
    const stageId = CHILD_STAGE.exec(detail)?.[1];
    const childId = current.commands.find((entry) => entry.id === stageId)?.sub_run_id;
    if (stageId === undefined || childId === undefined || childId === null) return null;
    const found = findRunById(locations, childId);
    if (found === null) return null;
    const paths = resolveRunPaths(locations, { taskId: found.taskId, runId: found.runId });
    current = withJournal(loadRunState(paths), paths);
    via.push(stageId);
  }
  return null;
}

import type { SubpipelineStage } from "@codex/orchestrator-schema";
import type { StageContext, StageOutcome } from "./stage-context.js";

/** Runs (or, on resume, continues) a nested run of another pipeline, and judges the stage by it. */
export async function runSubpipelineStage(
  context: StageContext,
  stage: SubpipelineStage,
): Promise<StageOutcome> {
  const entry = context.session.entry(context.item.index);
  const child = await context.runChild(stage, entry.sub_run_id, context.abortSignal);
  const summary = `child run ${child.runId} ${child.status}`;
  if (child.status === "succeeded") return { status: "succeeded", detail: null, summary, errorFile: null };
  if (child.status === "awaiting_approval")
    return {
      status: "paused",
      detail: `subpipeline:${stage.id}:awaiting_approval`,
      summary,
      errorFile: null,
    };
  if (child.status === "cancelled" && context.abortSignal.aborted)
    return { status: "cancelled", detail: `stage:${stage.id}:cancelled`, summary, errorFile: null };
  if (stage.optional) return { status: "skipped", detail: null, summary, errorFile: null };
  return { status: "failed", detail: `subpipeline:${stage.id}:failed`, summary, errorFile: null };
}

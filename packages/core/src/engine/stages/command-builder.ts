import { runCommandStage } from "./command-stage.js";
import { runGateStage } from "./gate-stage.js";
import { missingNpmScript } from "./npm-script-check.js";
import type { StageContext, StageOutcome } from "./stage-context.js";
import { runSubpipelineStage } from "./subpipeline-stage.js";

export type { ChildRunOutcome, StageContext, StageOutcome } from "./stage-context.js";
export { runEnvironment } from "./stage-environment.js";
export { latestDecision } from "./gate-stage.js";

/** Executes plan items by kind: shell commands, nested runs and approval gates. */
export class CommandBuilder {
  /** Runs one stage to an outcome; what it does on the way is recorded through the run's recorder. */
  execute(context: StageContext): Promise<StageOutcome> {
    const stage = context.item.stage;
    switch (stage.kind) {
      case "command": {
        const missing = missingNpmScript(context.item);
        return missing === null ? runCommandStage(context, stage) : skip(context, missing);
      }
      case "subpipeline":
        return announceStage(context, () => runSubpipelineStage(context, stage));
      case "manual":
        return announceStage(context, () => runGateStage(context, stage));
    }
  }
}

// A stage with nothing to run: skipped, saying why, without starting a process.
function skip(context: StageContext, summary: string): Promise<StageOutcome> {
  return announceStage(context, async () => ({ status: "skipped", detail: null, summary, errorFile: null }));
}

/**
 * Runs a subpipeline or manual stage between its `stage:started` and `stage:finished` events (a
 * command stage announces each attempt itself), so a progress display shows every kind of stage. A
 * gate left waiting ends as `pending`; a stage that throws is announced as failed by the run.
 */
async function announceStage(context: StageContext, run: () => Promise<StageOutcome>): Promise<StageOutcome> {
  const startedAt = Date.now();
  const { item, bus } = context;
  const stage = { runId: context.session.manifest.run_id, index: item.index, stageId: item.stage.id };
  bus.emit("stage:started", { ...stage, title: item.stage.title, kind: item.stage.kind, attempt: 1 });
  const outcome = await run();
  const status =
    outcome.status === "paused" ? "pending" : outcome.status === "cancelled" ? "failed" : outcome.status;
  bus.emit("stage:finished", {
    ...stage,
    status,
    exitCode: null,
    ending: status === "succeeded" ? null : (outcome.summary ?? outcome.detail),
    durationMs: Date.now() - startedAt,
    tail: [],
  });
  return outcome;
}

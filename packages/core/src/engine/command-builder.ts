import { runCommandStage } from "./command-stage.js";
import { runGateStage } from "./gate-stage.js";
import { missingNpmScript } from "./npm-script-check.js";
import type { StageContext, StageOutcome } from "./stage-context.js";
import { runSubpipelineStage } from "./subpipeline-stage.js";

export type { ChildRunOutcome, StageContext, StageOutcome } from "./stage-context.js";
export { runEnvironment } from "./command-stage.js";
export { latestDecision } from "./gate-stage.js";

/** Executes plan items by kind: shell commands, nested runs and approval gates. */
export class CommandBuilder {
  /** Runs one stage to an outcome; what it does on the way is recorded through the run's recorder. */
  execute(context: StageContext): Promise<StageOutcome> {
    const stage = context.item.stage;
    switch (stage.kind) {
      case "command": {
        const missing = missingNpmScript(context.item);
        return missing === null ? runCommandStage(context, stage) : Promise.resolve(skip(context, missing));
      }
      case "subpipeline":
        return runSubpipelineStage(context, stage);
      case "manual":
        return runGateStage(context, stage);
    }
  }
}

// A stage with nothing to run: skipped, saying why, without starting a process.
function skip(context: StageContext, summary: string): StageOutcome {
  context.bus.emit("stage:finished", {
    runId: context.session.manifest.run_id,
    index: context.item.index,
    stageId: context.item.stage.id,
    status: "skipped",
    exitCode: null,
    ending: summary,
    durationMs: 0,
    tail: [],
  });
  return { status: "skipped", detail: null, summary, errorFile: null };
}

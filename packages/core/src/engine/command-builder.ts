import { runCommandStage } from "./command-stage.js";
import { runGateStage } from "./gate-stage.js";
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
      case "command":
        return runCommandStage(context, stage);
      case "subpipeline":
        return runSubpipelineStage(context, stage);
      case "manual":
        return runGateStage(context, stage);
    }
  }
}

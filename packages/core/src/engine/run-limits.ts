import os from "node:os";
import type { ExecutionPlan } from "../plan/command-planner.js";
import { SiblingFailure } from "./stage-scheduler.js";

/** How many stages run at once when neither the pipeline nor the caller says. */
export const DEFAULT_CONCURRENCY = os.availableParallelism();

/** A new run's limits: the caller's, else the pipeline's, else the defaults. */
export function runLimits(
  plan: ExecutionPlan,
  overrides: { concurrency?: number | undefined; continueOnFailure?: boolean | undefined },
): { concurrency: number; continueOnFailure: boolean } {
  return {
    concurrency: overrides.concurrency ?? plan.pipeline.concurrency ?? DEFAULT_CONCURRENCY,
    continueOnFailure: overrides.continueOnFailure ?? plan.pipeline.continueOnFailure,
  };
}

/**
 * The `status_detail` of a cancelled run: the signal (exit 129/130/143), or, for a nested run whose
 * parent stopped it after another stage failed, that stage.
 */
export function cancellationDetail(abortSignal: AbortSignal): string {
  const reason: unknown = abortSignal.reason;
  if (reason instanceof SiblingFailure) return `stopped:stage:${reason.stageId}:failed`;
  return `signal:${typeof reason === "string" ? reason : "SIGTERM"}`;
}

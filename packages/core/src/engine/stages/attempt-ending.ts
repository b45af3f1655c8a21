import type { CommandStage } from "@codex/orchestrator-schema";
import type { ProcessOutcome } from "../../process/process-runner.js";
import { SiblingFailure } from "../stage-scheduler.js";

/** How an attempt ended, in the words of a stage's summary and error file. */
export function describeEnd(outcome: ProcessOutcome, stage: CommandStage, stop: AbortSignal): string {
  // Stopped because another stage failed first: that, not the signal, is what a reader needs.
  if (outcome.reason === "cancelled" && stop.reason instanceof SiblingFailure)
    return `stopped: stage ${stop.reason.stageId} failed`;
  switch (outcome.reason) {
    case "timeout":
      return `timed out after ${stage.timeoutSeconds}s`;
    case "signal":
      return `killed by ${outcome.signal}`;
    case "cancelled":
      return `cancelled (${outcome.signal ?? "stopped"})`;
    case "spawn-error":
      return `could not start: ${outcome.error}`;
    case "stalled":
      return "its worker was lost";
    case "exit":
      return `exit ${outcome.exitCode}`;
  }
}

import type { CommandEntry, GuardrailResult } from "@codex/orchestrator-schema";
import { summarizeGuardrails } from "@codex/orchestrator-telemetry";

/** Judges a run's guardrail stages (spec guard and anything marked `guardrail`). */
export class CommandTester {
  /** The guardrail outcome of the stages so far. */
  evaluate(commands: readonly CommandEntry[]): GuardrailResult {
    return summarizeGuardrails(commands);
  }
}

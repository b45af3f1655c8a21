import type { PlanOutput } from "@codex/orchestrator-schema";
import { REDACTED, type Redactor } from "../process/redaction.js";

/**
 * The plan as `plan` prints it (text and JSON), redacted like everything a run writes: secret-named
 * env values become `[REDACTED]`, and secrets (the environment's, `redact.values`, stages' secret env
 * values) are replaced wherever they appear in text. `redactor` must know the plan's stage secrets.
 */
export function redactPlanOutput(output: PlanOutput, redactor: Redactor): PlanOutput {
  const text = <T extends string | null | undefined>(value: T): T =>
    (typeof value === "string" ? redactor.redact(value) : value) as T;
  return {
    ...output,
    pipeline: {
      ...output.pipeline,
      title: text(output.pipeline.title),
      description: text(output.pipeline.description),
    },
    stages: output.stages.map((stage) => ({
      ...stage,
      title: text(stage.title),
      command: text(stage.command),
      cwd: text(stage.cwd),
      env: Object.fromEntries(
        Object.entries(stage.env).map(([name, value]) => [
          name,
          redactor.isSecretName(name) ? REDACTED : redactor.redact(value),
        ]),
      ),
      instructions: text(stage.instructions),
      summaryHint: text(stage.summaryHint),
    })),
    plan: {
      ...output.plan,
      items: output.plan.items.map((item) => ({ ...item, description: text(item.description) })),
      ...(output.plan.notes === undefined ? {} : { notes: text(output.plan.notes) }),
    },
  };
}

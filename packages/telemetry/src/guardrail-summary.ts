import type { CommandEntry, GuardrailResult } from "@codex/orchestrator-schema";

const SPEC_GUARD = /(^|[\s/'"])scripts\/spec-guard\.sh\b/;

/** Whether a stage is a guardrail: marked so, or its command runs `scripts/spec-guard.sh`. */
export function isGuardrailStage(stage: {
  command?: string | null | undefined;
  guardrail?: boolean | undefined;
}): boolean {
  if (stage.guardrail !== undefined) return stage.guardrail;
  return typeof stage.command === "string" && SPEC_GUARD.test(stage.command);
}

function failedEntry(entry: CommandEntry): boolean {
  return (
    entry.status === "failed" ||
    (entry.status === "skipped" && entry.exit_code !== null && entry.exit_code !== 0)
  );
}

function reusedEntry(entry: CommandEntry): boolean {
  return entry.status === "succeeded" && entry.cache?.hit === true;
}

/**
 * The stages whose result came from the stage cache, with the run each came from
 * (`build (run 2026-…), lint (run 2026-…)`); null when none did.
 */
export function describeReusedStages(commands: readonly CommandEntry[]): string | null {
  const reused = commands.filter(reusedEntry);
  if (reused.length === 0) return null;
  return reused.map((entry) => `${entry.id} (run ${entry.cache?.source_run_id ?? "unknown"})`).join(", ");
}

/**
 * The guardrail outcome of a run and its one-line summary, which is always the last line of
 * `manifest.summary`: `Guardrails: spec-guard succeeded (1 passed).`,
 * `Guardrails: spec-guard failed (1/1 failed).`, `Guardrails: spec-guard command not found.`
 */
export function summarizeGuardrails(commands: readonly CommandEntry[]): GuardrailResult {
  const guardrails = commands.filter((entry) => entry.guardrail ?? isGuardrailStage(entry));
  if (guardrails.length === 0) {
    return {
      present: false,
      total: 0,
      passed: 0,
      failed: 0,
      status: "missing",
      line: "Guardrails: spec-guard command not found.",
    };
  }
  const names = guardrails.map((entry) => entry.id).join(", ");
  const total = guardrails.length;
  const failed = guardrails.filter(failedEntry).length;
  const passed = guardrails.filter((entry) => entry.status === "succeeded").length;
  if (failed > 0) {
    return {
      present: true,
      total,
      passed,
      failed,
      status: "failed",
      line: `Guardrails: ${names} failed (${failed}/${total} failed).`,
    };
  }
  if (passed === total) {
    // A guardrail reused from the cache did not run now: the line says so, and from which run.
    const reused = describeReusedStages(guardrails);
    return {
      present: true,
      total,
      passed,
      failed,
      status: "succeeded",
      line: `Guardrails: ${names} succeeded (${passed} passed${reused === null ? "" : `; reused: ${reused}`}).`,
    };
  }
  return {
    present: true,
    total,
    passed,
    failed,
    status: "pending",
    line: `Guardrails: ${names} pending (${passed}/${total} passed so far).`,
  };
}

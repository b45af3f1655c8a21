import type { CommandEntry, GuardrailResult } from "@codex/orchestrator-schema";

const SPEC_GUARD =
  /(^|[\s/'"])scripts\/spec-guard\.sh\b|(^|[\s/'"])codex-orch(?:estrator)?['"]?\s+spec-guard\b/;

/** Whether a stage is a guardrail: marked so, or its command runs `scripts/spec-guard.sh` or `codex-orchestrator spec-guard`. */
export function isGuardrailStage(stage: {
  command?: string | null | undefined;
  guardrail?: boolean | undefined;
}): boolean {
  if (stage.guardrail !== undefined) return stage.guardrail;
  return typeof stage.command === "string" && SPEC_GUARD.test(stage.command);
}

// What a guard prints last when it finds something (`spec-guard: 2 problem(s) found`, with
// `(dry run: not failing)` when it was told not to fail): kept as the stage's summary.
const PROBLEMS_FOUND = /\b(\d+) problem\(s\) found/;

/** How many problems a guardrail stage reported in its summary (0 when it reported none). */
export function reportedProblems(entry: Pick<CommandEntry, "summary">): number {
  const match = typeof entry.summary === "string" ? PROBLEMS_FOUND.exec(entry.summary) : null;
  return match === null ? 0 : Number(match[1]);
}

// A guard that found problems has not passed, even in a dry run that let the run go on.
function failedEntry(entry: CommandEntry): boolean {
  return (
    entry.status === "failed" ||
    (entry.status === "skipped" && entry.exit_code !== null && entry.exit_code !== 0) ||
    reportedProblems(entry) > 0
  );
}

function problemsText(guardrails: readonly CommandEntry[]): string {
  const problems = guardrails.reduce((sum, entry) => sum + reportedProblems(entry), 0);
  if (problems === 0) return "";
  const dryRun = guardrails.some(
    (entry) =>
      reportedProblems(entry) > 0 && entry.status === "succeeded" && /dry run/.test(entry.summary ?? ""),
  );
  return `: ${problems} problem(s) found${dryRun ? " (dry run: the run was not failed)" : ""}`;
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
 * A guard whose summary reports problems failed, dry run or not:
 * `Guardrails: spec-guard failed (1/1 failed): 2 problem(s) found (dry run: the run was not failed).`
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
  const passed = guardrails.filter((entry) => entry.status === "succeeded" && !failedEntry(entry)).length;
  if (failed > 0) {
    return {
      present: true,
      total,
      passed,
      failed,
      status: "failed",
      line: `Guardrails: ${names} failed (${failed}/${total} failed)${problemsText(guardrails)}.`,
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

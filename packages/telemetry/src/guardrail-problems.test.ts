import type { CommandEntry } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { isGuardrailStage, reportedProblems, summarizeGuardrails } from "./guardrail-summary.js";

function guard(overrides: Partial<CommandEntry>): CommandEntry {
  return {
    index: 1,
    id: "spec-guard",
    title: "Spec guard",
    command: "codex-orchestrator spec-guard --dry-run",
    kind: "command",
    status: "succeeded",
    exit_code: 0,
    started_at: null,
    completed_at: null,
    summary: null,
    log_path: null,
    error_file: null,
    sub_run_id: null,
    guardrail: true,
    ...overrides,
  } as CommandEntry;
}

describe("a guard that found problems", () => {
  it("never reads succeeded, dry run or not, and does not count as passed", () => {
    const dryRun = summarizeGuardrails([
      guard({ summary: "spec-guard: 2 problem(s) found (dry run: not failing)" }),
    ]);
    expect(dryRun).toMatchObject({ status: "failed", passed: 0, failed: 1 });
    expect(dryRun.line).toBe(
      "Guardrails: spec-guard failed (1/1 failed): 2 problem(s) found (dry run: the run was not failed).",
    );

    const failing = summarizeGuardrails([
      guard({ status: "failed", exit_code: 1, summary: "exit 1: spec-guard: 3 problem(s) found" }),
    ]);
    expect(failing.line).toBe("Guardrails: spec-guard failed (1/1 failed): 3 problem(s) found.");
  });

  it("leaves a clean guard succeeded", () => {
    const clean = summarizeGuardrails([guard({ summary: "spec-guard: OK (3 checks)" })]);
    expect(clean).toMatchObject({ status: "succeeded", passed: 1, failed: 0 });
    expect(reportedProblems({ summary: "spec-guard: OK (3 checks)" })).toBe(0);
  });

  it("recognises the CLI's guard command as a guardrail", () => {
    expect(isGuardrailStage({ command: "codex-orchestrator spec-guard --dry-run" })).toBe(true);
    expect(isGuardrailStage({ command: "'/usr/bin/node' '/x/codex-orchestrator' spec-guard" })).toBe(true);
    expect(isGuardrailStage({ command: "node_modules/.bin/codex-orchestrator spec-guard" })).toBe(true);
    expect(isGuardrailStage({ command: "bash scripts/spec-guard.sh" })).toBe(true);
    expect(isGuardrailStage({ command: "echo spec-guard" })).toBe(false);
  });
});

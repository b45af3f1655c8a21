import { GuardrailResult } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { command, specGuard } from "../test/fixtures.js";
import { isGuardrailStage, summarizeGuardrails } from "./guardrail-summary.js";

describe("isGuardrailStage", () => {
  it.each([
    "bash scripts/spec-guard.sh --dry-run",
    "scripts/spec-guard.sh",
    "./scripts/spec-guard.sh",
    "bash /repo/scripts/spec-guard.sh",
    'sh -c "scripts/spec-guard.sh"',
  ])("recognises %j", (text) => {
    expect(isGuardrailStage({ command: text })).toBe(true);
  });

  it.each([
    "npm run lint",
    "bash myscripts/spec-guard.sh",
    "bash scripts/spec-guard.shx",
    "scripts/spec-guard-sh",
  ])("does not take %j for one", (text) => {
    expect(isGuardrailStage({ command: text })).toBe(false);
  });

  it("follows an explicit guardrail flag either way, and needs a command otherwise", () => {
    expect(isGuardrailStage({ command: "npm run audit", guardrail: true })).toBe(true);
    expect(isGuardrailStage({ command: "bash scripts/spec-guard.sh", guardrail: false })).toBe(false);
    expect(isGuardrailStage({ command: null })).toBe(false);
    expect(isGuardrailStage({})).toBe(false);
  });
});

describe("summarizeGuardrails", () => {
  it("spec-guard succeeded", () => {
    const result = summarizeGuardrails([command(1, "build"), specGuard(2)]);
    expect(result).toEqual({
      present: true,
      total: 1,
      passed: 1,
      failed: 0,
      status: "succeeded",
      line: "Guardrails: spec-guard succeeded (1 passed).",
    });
    expect(GuardrailResult.safeParse(result).success).toBe(true);
  });

  it("spec-guard failed", () => {
    expect(summarizeGuardrails([specGuard(1, { status: "failed", exit_code: 1 })]).line).toBe(
      "Guardrails: spec-guard failed (1/1 failed).",
    );
  });

  it("no guardrail stage", () => {
    expect(summarizeGuardrails([command(1, "build")])).toEqual({
      present: false,
      total: 0,
      passed: 0,
      failed: 0,
      status: "missing",
      line: "Guardrails: spec-guard command not found.",
    });
    expect(summarizeGuardrails([]).line).toBe("Guardrails: spec-guard command not found.");
  });

  it("pending while the guardrail has not run", () => {
    const result = summarizeGuardrails([
      specGuard(1, { status: "pending", exit_code: null, started_at: null, completed_at: null }),
    ]);
    expect(result).toMatchObject({
      status: "pending",
      passed: 0,
      failed: 0,
      line: "Guardrails: spec-guard pending (0/1 passed so far).",
    });
  });

  it("names several guardrails and counts each", () => {
    const commands = [
      specGuard(1),
      command(2, "license-guard", { guardrail: true, status: "failed", exit_code: 2 }),
      command(3, "build"),
    ];
    expect(summarizeGuardrails(commands)).toMatchObject({
      total: 2,
      passed: 1,
      failed: 1,
      status: "failed",
      line: "Guardrails: spec-guard, license-guard failed (1/2 failed).",
    });
    expect(summarizeGuardrails([specGuard(1), command(2, "license-guard", { guardrail: true })]).line).toBe(
      "Guardrails: spec-guard, license-guard succeeded (2 passed).",
    );
    expect(
      summarizeGuardrails([
        specGuard(1),
        command(2, "license-guard", { guardrail: true, status: "running", exit_code: null }),
      ]).line,
    ).toBe("Guardrails: spec-guard, license-guard pending (1/2 passed so far).");
  });

  it("counts a guardrail that failed but was skipped by allowFailure as failed", () => {
    const result = summarizeGuardrails([specGuard(1, { status: "skipped", exit_code: 3 })]);
    expect(result).toMatchObject({
      failed: 1,
      passed: 0,
      status: "failed",
      line: "Guardrails: spec-guard failed (1/1 failed).",
    });
  });

  it("honours an entry's guardrail flag over its command", () => {
    expect(summarizeGuardrails([specGuard(1, { guardrail: false })]).present).toBe(false);
  });
});

import { RunSummary } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { command, manifest, specGuard } from "../test/fixtures.js";
import { buildRunSummary, buildSummaryText, durationSeconds } from "./run-summary.js";

describe("durationSeconds", () => {
  it("is the time between start and end, in seconds to 2 decimals", () => {
    expect(durationSeconds("2025-10-31T22:56:34.431Z", "2025-10-31T22:57:40.012Z")).toBe(65.58);
  });

  it("runs to now while the run is not complete, and never goes negative", () => {
    const now = new Date("2025-10-31T22:56:44.431Z");
    expect(durationSeconds("2025-10-31T22:56:34.431Z", null, now)).toBe(10);
    expect(durationSeconds("2025-10-31T22:56:34.431Z", "2025-10-31T22:56:30.000Z")).toBe(0);
  });
});

describe("buildSummaryText", () => {
  it("summarizes a successful run, the guardrail line last", () => {
    expect(buildSummaryText(manifest()).split("\n")).toEqual([
      "Pipeline diagnostics (Diagnostics Pipeline) for task 0101: succeeded.",
      "Stages: 4 succeeded, 0 failed, 0 skipped, 0 not run, of 4.",
      "Guardrails: spec-guard succeeded (1 passed).",
    ]);
  });

  it("names failures, allowed failures, gates and child runs", () => {
    const text = buildSummaryText(
      manifest({
        status: "failed",
        status_detail: "stage:test:failed",
        commands: [
          command(1, "build"),
          command(2, "lint", { status: "skipped", exit_code: 1 }),
          command(3, "test", { status: "failed", exit_code: 2 }),
          command(4, "deploy", { status: "failed", exit_code: null, signal: "SIGTERM" }),
          command(5, "docs", { status: "failed", exit_code: 1, summary: "3 broken links" }),
          specGuard(6, { status: "pending", exit_code: null }),
        ],
        approvals: [
          {
            stage_id: "review",
            actor: "ana",
            decision: "approved",
            reason: "looks fine",
            timestamp: "2025-10-31T22:57:00.000Z",
            plan_hash: "abc",
          },
        ],
        child_runs: [
          { run_id: "c1", task_id: "0101", pipeline_id: "sub", status: "succeeded", manifest: "m" },
        ],
      }),
    );
    expect(text.split("\n")).toEqual([
      "Pipeline diagnostics (Diagnostics Pipeline) for task 0101: failed (stage:test:failed).",
      "Stages: 1 succeeded, 3 failed, 1 skipped, 1 not run, of 6.",
      "Allowed failure: lint (exit 1).",
      "Failed: test: exit 2.",
      "Failed: deploy: signal SIGTERM.",
      "Failed: docs: 3 broken links.",
      "Gate review: approved by ana (looks fine).",
      "Child runs: 1 (sub succeeded).",
      "Guardrails: spec-guard pending (0/1 passed so far).",
    ]);
  });

  it("mentions a gate waiting for approval", () => {
    const text = buildSummaryText(
      manifest({
        status: "awaiting_approval",
        status_detail: "approval:review:pending",
        completed_at: null,
        commands: [
          command(1, "build"),
          command(2, "review", { kind: "manual", command: null, status: "pending", exit_code: null }),
        ],
      }),
    );
    expect(text.split("\n")).toContain("Gate review: pending approval.");
  });

  it.each([
    ["no guardrail", [command(1, "build")], "Guardrails: spec-guard command not found."],
    [
      "a failed guardrail",
      [specGuard(1, { status: "failed", exit_code: 1 })],
      "Guardrails: spec-guard failed (1/1 failed).",
    ],
    ["no stages", [], "Guardrails: spec-guard command not found."],
  ])("ends with the guardrail line (%s)", (_label, commands, line) => {
    expect(buildSummaryText(manifest({ commands })).split("\n").at(-1)).toBe(line);
  });
});

describe("buildRunSummary", () => {
  it("matches the RunSummary schema and carries the run's facts", () => {
    const source = manifest({
      summary: "text",
      child_runs: [{ run_id: "c1", task_id: "0101", pipeline_id: "sub", status: "succeeded", manifest: "m" }],
    });
    const summary = buildRunSummary(source);
    expect(RunSummary.safeParse(summary).success).toBe(true);
    expect(summary).toMatchObject({
      run_id: source.run_id,
      task_id: "0101",
      pipeline_id: "diagnostics",
      parent_run_id: null,
      status: "succeeded",
      duration_seconds: 65.58,
      manifest: `${source.artifact_root}/manifest.json`,
      approvals: 0,
      child_runs: 1,
      summary: "text",
    });
    expect(summary.commands).toEqual([
      { index: 1, id: "build", status: "succeeded", exit_code: 0 },
      { index: 2, id: "lint", status: "succeeded", exit_code: 0 },
      { index: 3, id: "test", status: "succeeded", exit_code: 0 },
      { index: 4, id: "spec-guard", status: "succeeded", exit_code: 0 },
    ]);
    expect(summary.guardrails.line).toBe("Guardrails: spec-guard succeeded (1 passed).");
  });

  it("is schema-valid for a run still in progress", () => {
    const summary = buildRunSummary(
      manifest({ status: "in_progress", completed_at: null }),
      new Date("2025-10-31T22:56:44.431Z"),
    );
    expect(RunSummary.safeParse(summary).success).toBe(true);
    expect(summary.duration_seconds).toBe(10);
  });
});

import fs from "node:fs";
import path from "node:path";
import { MetricsLine } from "@codex/orchestrator-schema";
import { PersistenceError } from "@codex/orchestrator-persistence";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/temp-dir.js";
import { command, manifest } from "../test/fixtures.js";
import { MetricsRecorder, buildMetricsLine } from "./metrics-recorder.js";

const RECORDED = new Date("2025-10-31T22:57:41.000Z");

function readLines(file: string): unknown[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
}

describe("buildMetricsLine", () => {
  it("matches the MetricsLine schema with every docs/contract.md §3.3 field", () => {
    const line = buildMetricsLine(
      manifest({
        status: "failed",
        commands: [
          command(1, "build"),
          command(2, "test", { status: "failed", exit_code: 1 }),
          command(3, "lint", { status: "skipped", exit_code: 1 }),
        ],
        approvals: [
          {
            stage_id: "gate",
            actor: "ana",
            decision: "approved",
            reason: null,
            timestamp: "2025-10-31T22:57:00.000Z",
            plan_hash: "h",
          },
        ],
      }),
      RECORDED,
    );
    expect(MetricsLine.safeParse(line).success).toBe(true);
    expect(line).toEqual({
      run_id: "2025-10-31T22-56-34-431Z-9574035c",
      task_id: "0101",
      pipeline_id: "diagnostics",
      status: "failed",
      started_at: "2025-10-31T22:56:34.431Z",
      completed_at: "2025-10-31T22:57:40.012Z",
      duration_seconds: 65.58,
      commands_passed: 1,
      commands_failed: 1,
      guardrails_present: false,
      recorded_at: RECORDED.toISOString(),
      artifact_path: ".runs/0101/cli/2025-10-31T22-56-34-431Z-9574035c",
      child_runs: 0,
      approvals: 1,
    });
    expect(buildMetricsLine(manifest(), RECORDED).guardrails_present).toBe(true);
  });

  it("counts guardrails as present only when a guardrail stage succeeded (the original's meaning)", () => {
    const guard = (status: "succeeded" | "failed" | "skipped" | "pending") =>
      buildMetricsLine(
        manifest({
          commands: [
            command(1, "build"),
            command(2, "spec-guard", {
              command: "bash scripts/spec-guard.sh --dry-run",
              status,
              exit_code: status === "succeeded" ? 0 : status === "pending" ? null : 1,
            }),
          ],
        }),
        RECORDED,
      ).guardrails_present;
    expect(guard("succeeded")).toBe(true);
    expect(guard("failed")).toBe(false);
    expect(guard("skipped")).toBe(false);
    expect(guard("pending")).toBe(false);
    expect(buildMetricsLine(manifest({ commands: [command(1, "build")] }), RECORDED).guardrails_present).toBe(
      false,
    );
  });
});

describe("MetricsRecorder", () => {
  it("appends one line per finish, once, and again after a resume finishes", () => {
    const file = path.join(tempDir(), "metrics.json");
    const recorder = new MetricsRecorder({ metricsPath: file });
    expect(recorder.path).toBe(file);
    expect(recorder.record(manifest(), RECORDED)).toBe(true);
    expect(recorder.record(manifest(), RECORDED)).toBe(false);
    const resumed = manifest({
      completed_at: "2025-10-31T23:10:00.000Z",
      updated_at: "2025-10-31T23:10:00.000Z",
    });
    expect(recorder.record(resumed, RECORDED)).toBe(true);
    expect(recorder.record(resumed, RECORDED)).toBe(false);
    const lines = readLines(file);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(MetricsLine.safeParse(line).success).toBe(true);
    expect((lines[1] as { completed_at: string }).completed_at).toBe("2025-10-31T23:10:00.000Z");
  });

  it("adds to lines written earlier by other recorders", () => {
    const file = path.join(tempDir(), "metrics.json");
    new MetricsRecorder({ metricsPath: file }).record(
      manifest({ run_id: "2025-10-30T00-00-00-000Z-00000001" }),
      RECORDED,
    );
    new MetricsRecorder({ metricsPath: file }).record(manifest(), RECORDED);
    expect(readLines(file)).toHaveLength(2);
  });

  it("throws PersistenceError when it cannot append, and does not count that finish as recorded", () => {
    const directory = tempDir();
    const file = path.join(directory, "missing", "metrics.json");
    const recorder = new MetricsRecorder({ metricsPath: file });
    expect(() => recorder.record(manifest(), RECORDED)).toThrow(PersistenceError);
    fs.mkdirSync(path.join(directory, "missing"));
    expect(recorder.record(manifest(), RECORDED)).toBe(true);
  });
});

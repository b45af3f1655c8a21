import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";
import { runNode } from "./support.js";

/** One metrics.json line (docs/contract.md §3.3). */
function metricsLine(overrides: Record<string, unknown>): string {
  return JSON.stringify({
    run_id: "run",
    task_id: "0101",
    pipeline_id: "diagnostics",
    status: "succeeded",
    started_at: "2026-11-24T10:00:00.000Z",
    completed_at: "2026-11-24T10:00:10.000Z",
    duration_seconds: 10,
    commands_passed: 4,
    commands_failed: 0,
    guardrails_present: true,
    recorded_at: "2026-11-24T10:00:10.000Z",
    artifact_path: ".runs/0101/cli/run",
    child_runs: 0,
    approvals: 0,
    ...overrides,
  });
}

const SYNTHETIC_METRICS = [
  metricsLine({ run_id: "a", duration_seconds: 10, recorded_at: "2026-11-24T10:00:10.000Z" }),
  metricsLine({
    run_id: "b",
    status: "failed",
    duration_seconds: 20,
    recorded_at: "2026-11-22T08:00:00.000Z",
  }),
  "{ this line was cut off",
  "",
  metricsLine({
    run_id: "c",
    guardrails_present: false,
    duration_seconds: 30,
    recorded_at: "2026-11-25T09:00:00.000Z",
  }),
  metricsLine({ run_id: "d", duration_seconds: 5, recorded_at: "2026-11-23T12:00:00.000Z" }),
].join("\n");

function readSummary(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

describe("mcp-runner-metrics.js", () => {
  it("summarises metrics.json, skipping and counting a malformed line", () => {
    const root = tempDir();
    writeFiles(root, { ".runs/0101/metrics.json": `${SYNTHETIC_METRICS}\n` });

    const result = runNode("mcp-runner-metrics.js", [], { cwd: root });

    const summaryFile = path.join(root, ".runs", "0101", "metrics-summary.json");
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(summaryFile);
    expect(result.stderr).toContain("metrics.json:3: skipped malformed line");
    const summary = readSummary(summaryFile);
    expect(summary).toMatchObject({
      task_id: "0101",
      entries: 4,
      succeeded: 3,
      failed: 1,
      success_rate: 0.75,
      guardrail_coverage: 0.75,
      average_duration_seconds: 16.25,
      first_recorded_at: "2026-11-22T08:00:00.000Z",
      last_recorded_at: "2026-11-25T09:00:00.000Z",
      malformed_lines: 1,
    });
    expect(Number.isNaN(Date.parse(String(summary.generated_at)))).toBe(false);
    // Written through a temp file and a rename: no temp file is left behind.
    expect(readdirSync(path.dirname(summaryFile)).sort()).toEqual(["metrics-summary.json", "metrics.json"]);
  });

  it("takes the task from --task, then MCP_RUNNER_TASK_ID, and the runs dir from the flag or the environment", () => {
    const root = tempDir();
    const runs = tempDir();
    writeFiles(runs, {
      "0202/metrics.json": `${metricsLine({ task_id: "0202" })}\n`,
      "0303/metrics.json": `${metricsLine({ task_id: "0303", status: "failed" })}\n`,
    });

    const fromFlags = runNode("mcp-runner-metrics.js", ["--task", "0202", "--runs-dir", runs], { cwd: root });
    const fromEnvironment = runNode("mcp-runner-metrics.js", [], {
      cwd: root,
      env: { MCP_RUNNER_TASK_ID: "0303", CODEX_ORCHESTRATOR_RUNS_DIR: runs },
    });

    expect(fromFlags.status).toBe(0);
    expect(readSummary(path.join(runs, "0202", "metrics-summary.json"))).toMatchObject({
      task_id: "0202",
      success_rate: 1,
    });
    expect(fromEnvironment.status).toBe(0);
    expect(readSummary(path.join(runs, "0303", "metrics-summary.json"))).toMatchObject({
      task_id: "0303",
      failed: 1,
    });
  });

  it("uses CODEX_ORCHESTRATOR_ROOT/.runs when no runs dir is given", () => {
    const root = tempDir();
    const cwd = tempDir();
    writeFiles(root, { ".runs/0101/metrics.json": `${metricsLine({})}\n` });

    const result = runNode("mcp-runner-metrics.js", [], { cwd, env: { CODEX_ORCHESTRATOR_ROOT: root } });

    expect(result.status).toBe(0);
    expect(existsSync(path.join(root, ".runs", "0101", "metrics-summary.json"))).toBe(true);
  });

  it.each([
    ["--task", "../etc"],
    ["--task", "a/b"],
    ["--task", "a\\b"],
    ["--task", ".hidden"],
    ["--task", ""],
    ["--task", "bad:id"],
    ["--task", "tab\tid"],
  ])("rejects the task id %s %j with exit 2", (flag, value) => {
    const root = tempDir();

    const result = runNode("mcp-runner-metrics.js", [flag, value], { cwd: root });

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^mcp-runner-metrics: invalid task id from --task /);
    expect(existsSync(path.join(root, ".runs"))).toBe(false);
  });

  it("names MCP_RUNNER_TASK_ID when the bad id came from the environment", () => {
    const root = tempDir();

    const result = runNode("mcp-runner-metrics.js", [], {
      cwd: root,
      env: { MCP_RUNNER_TASK_ID: "../../x" },
    });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid task id from MCP_RUNNER_TASK_ID "../../x"');
  });

  it("keeps the original script's keys and --summarize flag beside ours", () => {
    const root = tempDir();
    writeFiles(root, { ".runs/0101/metrics.json": `${SYNTHETIC_METRICS}\n` });

    const result = runNode("mcp-runner-metrics.js", ["--summarize"], { cwd: root });

    expect(result.status).toBe(0);
    const summary = readSummary(path.join(root, ".runs", "0101", "metrics-summary.json"));
    expect(summary).toMatchObject({
      task_id: "0101",
      metrics_file: ".runs/0101/metrics.json",
      entries_total: 4,
      entries_succeeded: 3,
      entries_failed: 1,
      success_rate: 0.75,
      guardrail_coverage: 0.75,
      average_duration_seconds: 16.25,
    });
    expect(summary.parse_errors).toEqual([{ error: expect.any(String), raw: expect.any(String), line: 3 }]);
  });

  it("writes an empty summary and exits 0 when the task has no metrics; exits 2 on an unknown flag", () => {
    const root = tempDir();

    const missing = runNode("mcp-runner-metrics.js", ["--task", "0101"], { cwd: root });
    const unknown = runNode("mcp-runner-metrics.js", ["--tsk", "0101"], { cwd: root });

    expect(missing.status).toBe(0);
    expect(missing.stderr).toContain("no metrics for task 0101 yet");
    expect(readSummary(path.join(root, ".runs", "0101", "metrics-summary.json"))).toMatchObject({
      entries_total: 0,
      entries_succeeded: 0,
      entries_failed: 0,
      success_rate: null,
      guardrail_coverage: null,
      average_duration_seconds: null,
      parse_errors: [],
      entries: 0,
    });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown argument "--tsk"');
  });
});

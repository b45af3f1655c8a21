import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readJson, runCli, runCliJson } from "../helpers/cli.js";
import { command, pipeline, tempRepo } from "../helpers/repo.js";
import { runNode } from "../scripts/support.js";
import { findTaskAsOriginal, recordRunAsOriginal } from "./original-formats.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// A stage that writes 9 KiB to stderr and fails, then a guardrail that never runs.
const LOUD_FAILURE = `node -e "process.stderr.write('x'.repeat(9216)); process.exit(3)"`;
const CONFIG = {
  pipelines: [
    {
      ...pipeline("ci", [
        command("build", "echo built", { summaryHint: "Build done" }),
        command("loud", LOUD_FAILURE),
        command("spec-guard", "bash scripts/spec-guard.sh --dry-run"),
      ]),
      description: "Build, then the guard",
    },
    pipeline("guarded", [
      command("build", "echo built"),
      command("spec-guard", "bash scripts/spec-guard.sh"),
    ]),
  ],
};
const FILES = { "scripts/spec-guard.sh": "exit 0\n" };

/** The keys of an original run summary this test reads back. */
interface OriginalRunSummary {
  timestamp: string;
  plan: { items: Array<{ id: string }> };
  build: { artifacts: Array<{ path: string; description: string }> };
}

/** The keys of an original error file this test reads back. */
interface OriginalErrorFile {
  created_at: string;
  details: { stderr: string };
}

/** The parts of `plan --format json` this test reads back. */
interface PlanJson {
  pipeline: { source: string };
  stages: unknown[];
  plan: unknown;
}

interface StartJson {
  run_id: string;
  artifact_root: string;
  manifest: string;
}

describe("what this CLI writes, read with the keys the original CLI's readers use", () => {
  it("writes run-summary.json, state.json, error files and the token in the original's shapes", () => {
    const root = tempRepo(CONFIG, FILES);

    const failed = runCliJson<StartJson>(root, ["start", "ci"]);

    expect(failed.status).toBe(1);
    const runDir = failed.json.artifact_root;
    // run-summary.json: the original's RunSummary keys.
    const summary = readJson<OriginalRunSummary>(root, `${runDir}/run-summary.json`);
    expect(summary).toMatchObject({
      taskId: "0101",
      runId: failed.json.run_id,
      mode: "mcp",
      build: { runId: failed.json.run_id, success: false, mode: "mcp" },
      test: { success: false, reports: [{ name: "guardrails", status: "failed" }] },
      review: { decision: { approved: false } },
    });
    expect(summary.plan.items.map((item) => item.id)).toEqual(["ci:build", "ci:loud", "ci:spec-guard"]);
    expect(Number.isNaN(Date.parse(summary.timestamp))).toBe(false);
    expect(summary.build.artifacts[0]).toEqual({
      path: failed.json.manifest,
      description: "CLI run manifest",
    });

    // state.json: the original state store can add its next run to what we wrote.
    const stateText = readFileSync(path.join(root, "out/0101/state.json"), "utf8");
    const next = recordRunAsOriginal(stateText, "0101", {
      runId: "later",
      timestamp: "2999-01-01T00:00:00.000Z",
    });
    expect(next.runs.map((run) => run.runId)).toEqual([failed.json.run_id, "later"]);
    const entry = (JSON.parse(stateText) as { runs: Record<string, unknown>[] }).runs[0]!;
    expect(entry).toMatchObject({
      runId: failed.json.run_id,
      run_id: failed.json.run_id,
      timestamp: summary.timestamp,
    });
    expect(entry).not.toHaveProperty("commands");

    // errors/02-loud.json: the original's keys, stderr capped at 8 KiB.
    const errorFile = readJson<OriginalErrorFile>(root, `${runDir}/errors/02-loud.json`);
    expect(errorFile).toMatchObject({
      run_id: failed.json.run_id,
      task_id: "0101",
      command_index: 2,
      command_id: "loud",
      command: LOUD_FAILURE,
      reason: "command-failed",
      details: { exit_code: 3, stderr_truncated: true },
    });
    expect(errorFile.details.stderr.length).toBeLessThanOrEqual(8 * 1024 + 1);
    expect(Number.isNaN(Date.parse(errorFile.created_at))).toBe(false);

    // The token: 64 hex characters, in the manifest and in .resume-token.
    const manifest = readJson<{ resume_token: string }>(root, failed.json.manifest);
    expect(manifest.resume_token).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(path.join(root, runDir, ".resume-token"), "utf8")).toBe(`${manifest.resume_token}\n`);
  });

  it("prints Status: alone on its line with the detail below", () => {
    const root = tempRepo(CONFIG, FILES);

    const failed = runCli(root, ["start", "ci"]);

    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/^Status: failed$/m);
    expect(failed.stdout).toMatch(/^Detail: stage:loud:failed$/m);
  });

  it("counts guardrails as present in metrics only when a guardrail stage succeeded", () => {
    const root = tempRepo(CONFIG, FILES);

    runCli(root, ["start", "ci"]);
    runCli(root, ["start", "guarded"]);

    const lines = readFileSync(path.join(root, ".runs/0101/metrics.json"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { pipeline_id: string; guardrails_present: boolean });
    expect(lines.map((line) => [line.pipeline_id, line.guardrails_present])).toEqual([
      ["ci", false],
      ["guarded", true],
    ]);
  });

  it("plan --format json keeps the original's pipeline.source, plan.items, allowFailure and summaryHint", () => {
    const root = tempRepo(CONFIG, FILES);

    const configured = runCliJson<PlanJson>(root, ["plan", "ci"]);
    const builtIn = runCliJson<PlanJson>(root, ["plan", "diagnostics"]);
    const text = runCli(root, ["plan", "ci"]);

    expect(configured.json.pipeline).toMatchObject({
      id: "ci",
      source: "user",
      description: "Build, then the guard",
    });
    expect(builtIn.json.pipeline.source).toBe("default");
    expect(configured.json.plan).toEqual({
      items: [
        { id: "ci:build", description: "Stage build", requires_cloud: false },
        { id: "ci:loud", description: "Stage loud", requires_cloud: false },
        { id: "ci:spec-guard", description: "Stage spec-guard", requires_cloud: false },
      ],
      notes: "Build, then the guard",
    });
    expect(configured.json.stages[0]).toMatchObject({ allowFailure: false, summaryHint: "Build done" });
    expect(text.stdout).toContain("Pipeline: ci — Pipeline ci [user]\nDescription: Build, then the guard\n");
    expect(text.stdout).toContain("  1. [command] Stage build (build)\n     command: echo built\n");
    expect(text.stdout).toContain("     summaryHint: Build done\n");
    expect(text.stdout).toContain("Notes: Build, then the guard\n");
  });

  it("summarises metrics with the original script's keys and flag", () => {
    const root = tempRepo(CONFIG, FILES);
    runCli(root, ["start", "guarded"]);

    const summarised = runNode("mcp-runner-metrics.js", ["--summarize"], { cwd: root });

    expect(summarised.status).toBe(0);
    const summary = readJson<Record<string, unknown>>(root, ".runs/0101/metrics-summary.json");
    expect(summary).toMatchObject({
      task_id: "0101",
      metrics_file: ".runs/0101/metrics.json",
      entries_total: 1,
      entries_succeeded: 1,
      entries_failed: 0,
      guardrail_coverage: 1,
      parse_errors: [],
    });
  });

  it("keeps this repository's own tasks/index.json readable by the original (items)", () => {
    const text = readFileSync(path.join(REPO_ROOT, "tasks/index.json"), "utf8");
    expect(findTaskAsOriginal(text, "0101")).toMatchObject({ slug: "codex-orchestrator" });
  });
});

import type { Manifest, RunSummary } from "@codex/orchestrator-schema";
import { summarizeGuardrails } from "./guardrail-summary.js";

/** The original CLI's run-summary keys (see `OriginalRunSummaryFields` in the schema). */
export type OriginalRunSummaryFields = Pick<
  RunSummary,
  "taskId" | "runId" | "mode" | "plan" | "build" | "test" | "review" | "timestamp"
>;

// The original CLI ran every pipeline in its local "mcp" mode; its readers expect one of its modes.
const ORIGINAL_MODE = "mcp";

/**
 * The original CLI's keys for a finished run, worked out from our manifest the way its planner,
 * builder, tester and reviewer filled them: plan items `<pipeline>:<stage>`, the build artifacts
 * (manifest and runner log), a tester report on the guardrail (passed only when a guardrail stage
 * succeeded), the reviewer's short summary, and `timestamp`, the time the summary was made.
 */
export function buildOriginalRunSummaryFields(
  manifest: Manifest,
  now: Date = new Date(),
): OriginalRunSummaryFields {
  const succeeded = manifest.status === "succeeded";
  const items = manifest.commands.map((entry) => ({
    id: `${manifest.pipeline_id}:${entry.id}`,
    description: entry.title,
  }));
  const manifestPath = `${manifest.artifact_root}/manifest.json`;
  const guardrailPassed = summarizeGuardrails(manifest.commands).status === "succeeded";
  return {
    taskId: manifest.task_id,
    runId: manifest.run_id,
    mode: ORIGINAL_MODE,
    plan: { items },
    build: {
      subtaskId: items[0]?.id ?? manifest.pipeline_id,
      artifacts: [
        { path: manifestPath, description: "CLI run manifest" },
        { path: manifest.log_path, description: "Runner log (ndjson)" },
      ],
      mode: ORIGINAL_MODE,
      runId: manifest.run_id,
      success: succeeded,
    },
    test: {
      subtaskId: items[0]?.id ?? manifest.pipeline_id,
      success: guardrailPassed && succeeded,
      reports: [
        {
          name: "guardrails",
          status: guardrailPassed ? "passed" : "failed",
          details: guardrailPassed ? "spec-guard step succeeded" : "spec-guard step missing or failed",
        },
      ],
      runId: manifest.run_id,
    },
    review: {
      summary: [
        `${manifest.pipeline_title} ${succeeded ? "succeeded." : `${manifest.status} — inspect manifest for details.`}`,
        `Manifest: ${manifestPath}`,
        `Runner log: ${manifest.log_path}`,
      ].join("\n"),
      decision: { approved: succeeded },
    },
    timestamp: now.toISOString(),
  };
}

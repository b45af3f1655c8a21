import type { RunResult } from "@codex/orchestrator-core";
import type { ProgressState } from "./progress-reporter.js";
import { printJson, type Painter } from "./terminal.js";

/**
 * Prints the outcome of `start`/`resume`: JSON on stdout, or the text lines (`Run started:`,
 * `Status:`, `Detail:` when there is one, `Manifest:`, `Log:`) plus next steps on stderr.
 */
export function reportRun(
  result: RunResult,
  format: string,
  progress: ProgressState,
  painter: Painter,
  verb: "started" | "resumed",
): number {
  if (format === "json") {
    printJson({
      run_id: result.runId,
      task_id: result.taskId,
      pipeline_id: result.pipelineId,
      status: result.status,
      status_detail: result.statusDetail,
      artifact_root: result.artifactRoot,
      manifest: result.manifest,
      log_path: result.logPath,
      exit_code: result.exitCode,
    });
  } else {
    // `Status:` carries the status alone, as scripts written for the original CLI match it
    // (`Status: failed`); the detail has a line of its own.
    process.stdout.write(
      [
        `Run ${verb}: ${result.runId}`,
        `Status: ${result.status}`,
        ...(result.statusDetail ? [`Detail: ${result.statusDetail}`] : []),
        `Manifest: ${result.manifest}`,
        `Log: ${result.logPath}`,
      ].join("\n") + "\n",
    );
  }
  if (progress.reused.length > 0)
    process.stderr.write(
      `Reused from the stage cache (not run): ${progress.reused.join(", ")}. \`start --no-cache\` runs every stage.\n`,
    );
  if (result.status === "failed" || result.status === "cancelled") {
    if (progress.failedStage !== null && progress.failedStage.tail.length > 0) {
      process.stderr.write(
        `${painter.red(`Last lines of ${progress.failedStage.stageId}:`)}\n${progress.failedStage.tail.map((line) => `  ${line}`).join("\n")}\n`,
      );
    }
    process.stderr.write(`Resume with: codex-orchestrator resume ${result.runId}\n`);
  } else if (result.status === "awaiting_approval") {
    const gate = /^approval:(.+):pending$/.exec(result.statusDetail ?? "")?.[1];
    const approve =
      gate === undefined
        ? `codex-orchestrator status ${result.runId}`
        : `codex-orchestrator approve ${result.runId} --stage ${gate} --actor <name>`;
    process.stderr.write(
      `Paused for approval. Approve with: ${approve}\nThen: codex-orchestrator resume ${result.runId}\n`,
    );
  }
  return result.exitCode;
}

import type { RunResult } from "@codex/orchestrator-core";
import type { WaitingGate } from "@codex/orchestrator-schema";
import { nextSteps } from "./next-steps.js";
import type { ProgressState } from "./progress-reporter.js";
import { printJson, type Painter } from "./terminal.js";

/**
 * Prints the outcome of `start`/`resume`: JSON on stdout, or the text lines (`Run started:`,
 * `Status:`, `Detail:` when there is one, `Manifest:`, `Log:`) plus next steps on stderr: the
 * commands that continue the run, each one that works as printed (next-steps.ts).
 */
export function reportRun(
  result: RunResult,
  format: string,
  progress: ProgressState,
  painter: Painter,
  verb: "started" | "resumed",
  waitingGate: WaitingGate | null = null,
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
  if (result.status === "failed" || result.status === "cancelled") {
    if (progress.failedStage !== null && progress.failedStage.tail.length > 0) {
      process.stderr.write(
        `${painter.red(`Last lines of ${progress.failedStage.stageId}:`)}\n${progress.failedStage.tail.map((line) => `  ${line}`).join("\n")}\n`,
      );
    }
  }
  if (result.status === "awaiting_approval") process.stderr.write("Paused for approval.\n");
  const steps = nextSteps({
    runId: result.runId,
    status: result.status,
    statusDetail: result.statusDetail,
    waitingGate,
  });
  if (steps.length > 0) process.stderr.write(`${steps.join("\n")}\n`);
  return result.exitCode;
}

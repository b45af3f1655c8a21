import type { RunResult } from "@codex/orchestrator-core";
import type { WaitingGate } from "@codex/orchestrator-schema";
import { nextSteps } from "./next-steps.js";
import type { ProgressState } from "../ui/progress-reporter.js";
import { printJson, type Painter } from "../terminal.js";

/** What to do after a run that did not succeed: the lines to print and the one command to run next. */
export interface NextStep {
  lines: string[];
  command: string | null;
}

/** The next step after a run, from one place (next-steps.ts): each printed command works as printed. */
export function nextStep(
  result: Pick<RunResult, "runId" | "status" | "statusDetail">,
  waitingGate: WaitingGate | null,
  root: string | undefined,
): NextStep {
  const lines = nextSteps({
    runId: result.runId,
    status: result.status,
    statusDetail: result.statusDetail,
    waitingGate,
    root,
  });
  const command = lines.length === 0 ? null : (/codex-orchestrator .*$/.exec(lines[0] ?? "")?.[0] ?? null);
  return { lines, command };
}

/** Everything the closing lines of `start` and `resume` are made of. */
export interface RunReport {
  result: RunResult;
  format: string;
  progress: ProgressState;
  painter: Painter;
  verb: "started" | "resumed";
  /** The summary table (stderr), printed first. */
  summary: readonly string[];
  /** The gate that stops the run (its own or a child run's), which decides the next step. */
  waitingGate: WaitingGate | null;
  /** `--root`, repeated in the next-step command. */
  root: string | undefined;
}

/**
 * Prints the outcome of `start`/`resume`: the summary table on stderr, then JSON on stdout or the
 * text lines (`Run started:`, `Status:`, `Detail:` when there is one, `Manifest:`, `Log:`), then the
 * failed stage's last lines and the next command on stderr.
 */
export function reportRun(report: RunReport): number {
  const { result, progress, painter } = report;
  if (report.summary.length > 0) process.stderr.write(`${report.summary.join("\n")}\n`);
  if (report.format === "json") {
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
        `Run ${report.verb}: ${result.runId}`,
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
  if (
    (result.status === "failed" || result.status === "cancelled") &&
    progress.failedStage !== null &&
    progress.failedStage.tail.length > 0
  ) {
    process.stderr.write(
      `${painter.red(`Last lines of ${progress.failedStage.stageId}:`)}\n${progress.failedStage.tail.map((line) => `  ${line}`).join("\n")}\n`,
    );
  }
  if (result.status === "awaiting_approval") process.stderr.write("Paused for approval.\n");
  const next = nextStep(result, report.waitingGate, report.root);
  if (next.lines.length > 0) process.stderr.write(`${next.lines.join("\n")}\n`);
  return result.exitCode;
}

import {
  CodexOrchestrator,
  type ApprovalPrompt,
  type RunResult,
  type StageExecutor,
} from "@codex/orchestrator-core";
import type { WaitingGate } from "@codex/orchestrator-schema";
import { createTerminalPrompt } from "./approval-prompt.js";
import { openExecutor } from "./executor-choice.js";
import { nextStep, reportRun } from "./run-report.js";
import { abortOnSignals } from "./run-signals.js";
import { createPainter } from "../terminal.js";
import { rootOptions } from "../usage/root-option.js";
import { appendStepSummary } from "../ui/github-actions.js";
import { LiveView } from "../ui/live-view.js";
import { resolveOutputMode, terminalColumns } from "../ui/output-mode.js";
import { attachProgressReporter } from "../ui/progress-reporter.js";
import type { ProgressView } from "../ui/progress-view.js";
import { renderSummaryMarkdown, renderSummaryTable } from "../ui/run-summary-table.js";
import { StreamView } from "../ui/stream-view.js";

/** What a run needs from the terminal: the inline approval prompt (on a TTY) and the signal abort. */
export interface TerminalRunOptions {
  approvalPrompt?: ApprovalPrompt;
  abortSignal: AbortSignal;
  executor?: StageExecutor;
}

/**
 * Runs `start` or `resume` the way a person sees it: progress on stderr (a live view on a terminal,
 * plain lines elsewhere), SIGINT/SIGTERM stopping the running stage, an inline prompt at gates on a
 * terminal, then the summary, the outcome and its exit code.
 */
export async function runInTerminal(options: {
  verb: "started" | "resumed";
  format: string;
  outputLogs: string | undefined;
  /** `--executor` (local or bullmq); the config and environment decide without it. */
  executor?: string | undefined;
  /** `--root`, already checked and absolute (usage/root-option.ts). */
  root: string | undefined;
  execute: (orchestrator: CodexOrchestrator, options: TerminalRunOptions) => Promise<RunResult>;
}): Promise<number> {
  const startedAt = Date.now();
  const stream = process.stderr;
  const env = process.env;
  // Decided (and a bad --output-logs refused) before anything runs.
  const mode = resolveOutputMode({ stream, env, outputLogs: options.outputLogs });
  const orchestrator = new CodexOrchestrator(rootOptions(options));
  // Opened before the run is created: an unreachable Redis is one line and exit 2, nothing written.
  const executor = await openExecutor(orchestrator, options.executor);
  const painter = createPainter(stream, env);
  const view: ProgressView = mode.live
    ? new LiveView({
        stream,
        painter,
        columns: () => terminalColumns(stream, env),
        rows: () => stream.rows ?? 24,
      })
    : new StreamView(stream);
  const progress = attachProgressReporter({ orchestrator, painter, view, mode });
  const signals = abortOnSignals();
  let result: RunResult;
  try {
    const prompt = createTerminalPrompt();
    result = await options.execute(orchestrator, {
      ...(prompt === undefined ? {} : { approvalPrompt: withoutRedraw(prompt, view) }),
      abortSignal: signals.signal,
      ...(executor === undefined ? {} : { executor }),
    });
  } finally {
    view.close();
    signals.dispose();
    await executor?.close();
  }
  const elapsedMs = Date.now() - startedAt;
  let summary: string[] = [];
  // Which gate stops it (its own or a child run's) decides what the closing hint says to run.
  let waitingGate: WaitingGate | null = null;
  try {
    const status = await orchestrator.status(result.runId);
    waitingGate = status.waiting_gate ?? null;
    summary = renderSummaryTable({ status, elapsedMs, painter, columns: mode.columns });
    if (mode.githubActions)
      appendStepSummary(
        env,
        renderSummaryMarkdown({
          status,
          elapsedMs,
          failedStage: progress.failedStage,
          nextStep: nextStep(result, waitingGate, options.root).command,
        }),
      );
  } catch (error) {
    // The run is over and recorded; a summary that cannot be read or written costs only itself.
    stream.write(`${painter.yellow("warning:")} no run summary: ${(error as Error).message}\n`);
  }
  return reportRun({
    result,
    format: options.format,
    progress,
    painter,
    verb: options.verb,
    summary,
    waitingGate,
    root: options.root,
  });
}

/** The prompt, with the live view's redraw stopped while a person answers it. */
function withoutRedraw(prompt: ApprovalPrompt, view: ProgressView): ApprovalPrompt {
  return async (request) => {
    view.suspend();
    try {
      return await prompt(request);
    } finally {
      view.resume();
    }
  };
}

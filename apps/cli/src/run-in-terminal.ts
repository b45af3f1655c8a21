import {
  CodexOrchestrator,
  type ApprovalPrompt,
  type RunResult,
  type StageExecutor,
} from "@codex/orchestrator-core";
import { openExecutor } from "./executor-choice.js";
import { createTerminalPrompt } from "./approval-prompt.js";
import { attachProgressReporter } from "./progress-reporter.js";
import { reportRun } from "./run-report.js";
import { abortOnSignals } from "./run-signals.js";
import { createPainter } from "./terminal.js";

/** What a run needs from the terminal: the inline approval prompt (on a TTY) and the signal abort. */
export interface TerminalRunOptions {
  approvalPrompt?: ApprovalPrompt;
  abortSignal: AbortSignal;
  executor?: StageExecutor;
}

/**
 * Runs `start` or `resume` the way a person sees it: progress on stderr, SIGINT/SIGTERM stopping the
 * running stage, an inline prompt at gates on a terminal, then the outcome and its exit code.
 */
export async function runInTerminal(
  verb: "started" | "resumed",
  flags: { format: string; executor?: string | undefined },
  execute: (orchestrator: CodexOrchestrator, options: TerminalRunOptions) => Promise<RunResult>,
): Promise<number> {
  const { format } = flags;
  const orchestrator = new CodexOrchestrator();
  const executor = await openExecutor(orchestrator, flags.executor);
  const painter = createPainter();
  const progress = attachProgressReporter(orchestrator, painter);
  const signals = abortOnSignals();
  try {
    const prompt = createTerminalPrompt();
    const result = await execute(orchestrator, {
      ...(prompt === undefined ? {} : { approvalPrompt: prompt }),
      abortSignal: signals.signal,
      ...(executor === undefined ? {} : { executor }),
    });
    return reportRun(result, format, progress, painter, verb);
  } finally {
    signals.dispose();
    await executor?.close();
  }
}

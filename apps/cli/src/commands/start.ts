import { CodexOrchestrator } from "@codex/orchestrator-core";
import { createTerminalPrompt } from "../approval-prompt.js";
import { attachProgressReporter } from "../progress-reporter.js";
import { reportRun } from "../run-report.js";
import { abortOnSignals } from "../run-signals.js";
import { createPainter } from "../terminal.js";

/** `start [pipeline]`. */
export async function runStart(argv: {
  pipeline?: string | undefined;
  task?: string | undefined;
  parentRun?: string | undefined;
  approvalPolicy?: string | undefined;
  format: string;
}): Promise<number> {
  const orchestrator = new CodexOrchestrator();
  const painter = createPainter();
  const progress = attachProgressReporter(orchestrator, painter);
  const signals = abortOnSignals();
  try {
    const prompt = createTerminalPrompt();
    const result = await orchestrator.start(argv.pipeline, {
      ...(argv.task === undefined ? {} : { taskId: argv.task }),
      ...(argv.parentRun === undefined ? {} : { parentRunId: argv.parentRun }),
      ...(argv.approvalPolicy === undefined ? {} : { approvalPolicy: argv.approvalPolicy }),
      ...(prompt === undefined ? {} : { approvalPrompt: prompt }),
      abortSignal: signals.signal,
    });
    return reportRun(result, argv.format, progress, painter, "started");
  } finally {
    signals.dispose();
  }
}

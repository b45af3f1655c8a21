import { CodexOrchestrator } from "@codex/orchestrator-core";
import { createTerminalPrompt } from "../approval-prompt.js";
import { attachProgressReporter } from "../progress-reporter.js";
import { runIdFrom } from "../run-id-argument.js";
import { reportRun } from "../run-report.js";
import { abortOnSignals } from "../run-signals.js";
import { createPainter } from "../terminal.js";

/** `resume [run-id]`. */
export async function runResume(argv: {
  runId?: string | undefined;
  run?: string | undefined;
  token?: string | undefined;
  actor?: string | undefined;
  reason?: string | undefined;
  approvalPolicy?: string | undefined;
  format: string;
}): Promise<number> {
  const runId = runIdFrom(argv);
  const orchestrator = new CodexOrchestrator();
  const painter = createPainter();
  const progress = attachProgressReporter(orchestrator, painter);
  const signals = abortOnSignals();
  try {
    const prompt = createTerminalPrompt();
    const result = await orchestrator.resume(runId, {
      ...(argv.token === undefined ? {} : { token: argv.token }),
      ...(argv.actor === undefined ? {} : { actor: argv.actor }),
      ...(argv.reason === undefined ? {} : { reason: argv.reason }),
      ...(argv.approvalPolicy === undefined ? {} : { approvalPolicy: argv.approvalPolicy }),
      ...(prompt === undefined ? {} : { approvalPrompt: prompt }),
      abortSignal: signals.signal,
    });
    return reportRun(result, argv.format, progress, painter, "resumed");
  } finally {
    signals.dispose();
  }
}

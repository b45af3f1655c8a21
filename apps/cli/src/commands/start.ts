import { runInTerminal } from "../run-in-terminal.js";

/** `start [pipeline]`. */
export async function runStart(argv: {
  pipeline?: string | undefined;
  task?: string | undefined;
  parentRun?: string | undefined;
  approvalPolicy?: string | undefined;
  format: string;
}): Promise<number> {
  return runInTerminal("started", argv.format, (orchestrator, terminal) =>
    orchestrator.start(argv.pipeline, {
      ...(argv.task === undefined ? {} : { taskId: argv.task }),
      ...(argv.parentRun === undefined ? {} : { parentRunId: argv.parentRun }),
      ...(argv.approvalPolicy === undefined ? {} : { approvalPolicy: argv.approvalPolicy }),
      ...terminal,
    }),
  );
}

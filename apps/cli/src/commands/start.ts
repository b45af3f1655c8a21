import { parseConcurrency } from "../concurrency-argument.js";
import { runInTerminal } from "../run-in-terminal.js";

/** `start [pipeline]`. */
export async function runStart(argv: {
  pipeline?: string | undefined;
  task?: string | undefined;
  parentRun?: string | undefined;
  approvalPolicy?: string | undefined;
  concurrency?: string | undefined;
  continue?: boolean | undefined;
  executor?: string | undefined;
  format: string;
}): Promise<number> {
  // Checked before the run begins, so a bad value leaves nothing behind.
  const concurrency = argv.concurrency === undefined ? undefined : parseConcurrency(argv.concurrency);
  return runInTerminal("started", argv, (orchestrator, terminal) =>
    orchestrator.start(argv.pipeline, {
      ...(argv.task === undefined ? {} : { taskId: argv.task }),
      ...(argv.parentRun === undefined ? {} : { parentRunId: argv.parentRun }),
      ...(argv.approvalPolicy === undefined ? {} : { approvalPolicy: argv.approvalPolicy }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(argv.continue === undefined ? {} : { continueOnFailure: argv.continue }),
      ...terminal,
    }),
  );
}

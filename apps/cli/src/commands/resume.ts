import { parseConcurrency } from "../usage/concurrency-argument.js";
import { runIdFrom } from "../usage/run-id-argument.js";
import { runInTerminal } from "../run/run-in-terminal.js";

/** `resume [run-id]`. */
export async function runResume(argv: {
  runId?: string | undefined;
  run?: string | undefined;
  token?: string | undefined;
  actor?: string | undefined;
  reason?: string | undefined;
  approvalPolicy?: string | undefined;
  concurrency?: string | undefined;
  continue?: boolean | undefined;
  report?: boolean | undefined;
  otel?: boolean | undefined;
  force?: boolean | undefined;
  outputLogs?: string | undefined;
  cache?: boolean | undefined;
  executor?: string | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  const runId = runIdFrom(argv);
  const concurrency = argv.concurrency === undefined ? undefined : parseConcurrency(argv.concurrency);
  return runInTerminal({
    verb: "resumed",
    format: argv.format,
    outputLogs: argv.outputLogs,
    executor: argv.executor,
    root: argv.root,
    execute: (orchestrator, terminal) =>
      orchestrator.resume(runId, {
        ...(argv.token === undefined ? {} : { token: argv.token }),
        ...(argv.actor === undefined ? {} : { actor: argv.actor }),
        ...(argv.reason === undefined ? {} : { reason: argv.reason }),
        ...(argv.approvalPolicy === undefined ? {} : { approvalPolicy: argv.approvalPolicy }),
        ...(concurrency === undefined ? {} : { concurrency }),
        ...(argv.continue === undefined ? {} : { continueOnFailure: argv.continue }),
        ...(argv.report === undefined ? {} : { report: argv.report }),
        ...(argv.otel === undefined ? {} : { otel: argv.otel }),
        ...(argv.force === true ? { force: true } : {}),
        cache: argv.cache === false ? "off" : "use",
        ...terminal,
      }),
  });
}

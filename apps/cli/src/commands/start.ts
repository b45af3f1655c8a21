import fs from "node:fs";
import path from "node:path";
import { missingIgnoreEntries } from "@codex/orchestrator-core";
import { isInside } from "@codex/orchestrator-persistence";
import { parseConcurrency } from "../usage/concurrency-argument.js";
import { cliCommand } from "../run/next-steps.js";
import { runInTerminal } from "../run/run-in-terminal.js";

/** `start [pipeline]`. */
export async function runStart(argv: {
  pipeline?: string | undefined;
  task?: string | undefined;
  parentRun?: string | undefined;
  approvalPolicy?: string | undefined;
  concurrency?: string | undefined;
  continue?: boolean | undefined;
  outputLogs?: string | undefined;
  actor?: string | undefined;
  report?: boolean | undefined;
  otel?: boolean | undefined;
  cache?: boolean | undefined;
  force?: boolean | undefined;
  executor?: string | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  // Checked before the run begins, so a bad value leaves nothing behind.
  const concurrency = argv.concurrency === undefined ? undefined : parseConcurrency(argv.concurrency);
  return runInTerminal({
    verb: "started",
    format: argv.format,
    outputLogs: argv.outputLogs,
    executor: argv.executor,
    root: argv.root,
    execute: (orchestrator, terminal) => {
      if (argv.format !== "json") hintIgnoreEntries(orchestrator.locations, argv.root);
      return orchestrator.start(argv.pipeline, {
        ...(argv.task === undefined ? {} : { taskId: argv.task }),
        ...(argv.parentRun === undefined ? {} : { parentRunId: argv.parentRun }),
        ...(argv.approvalPolicy === undefined ? {} : { approvalPolicy: argv.approvalPolicy }),
        ...(concurrency === undefined ? {} : { concurrency }),
        ...(argv.continue === undefined ? {} : { continueOnFailure: argv.continue }),
        ...(argv.actor === undefined ? {} : { actor: argv.actor }),
        ...(argv.report === undefined ? {} : { report: argv.report }),
        ...(argv.otel === undefined ? {} : { otel: argv.otel }),
        // --no-cache wins over --force: nothing is read or stored.
        cache: argv.cache === false ? "off" : argv.force === true ? "refresh" : "use",
        ...terminal,
      });
    },
  });
}

// A repository whose .gitignore does not keep run evidence out would commit it: say so, once per start.
function hintIgnoreEntries(
  locations: { root: string; runsDir: string; outDir: string },
  rootFlag: string | undefined,
): void {
  if (!fs.existsSync(path.join(locations.root, ".git"))) return;
  const missing = missingIgnoreEntries(locations.root).filter((folder) =>
    isInside(locations.root, folder === ".runs/" ? locations.runsDir : locations.outDir),
  );
  if (missing.length === 0) return;
  process.stderr.write(
    `hint: ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not in .gitignore; \`${cliCommand(rootFlag)} init\` adds ${missing.length === 1 ? "it" : "them"}\n`,
  );
}

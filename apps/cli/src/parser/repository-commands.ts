import type { Argv } from "yargs";
import { FORMAT } from "../usage/shared-options.js";

/**
 * The commands init, spec-guard, cache and worker: the repository's setup and shared machinery.
 * Each handler loads its command's code only when it runs.
 */
export function addRepositoryCommands<T>(parser: Argv<T>, setExitCode: (code: number) => void): Argv<T> {
  return parser
    .command(
      "init",
      "Write a starter codex.orchestrator.json for this repository and keep .runs/ and out/ out of git",
      (command) =>
        command
          .option("force", { type: "boolean", describe: "Replace an existing codex.orchestrator.json" })
          .option("format", FORMAT),
      async (argv) => {
        const { runInit } = await import("../commands/init.js");
        setExitCode(await runInit(argv));
      },
    )
    .command(
      "spec-guard",
      "Check the repository: source changes need a spec change, specs reviewed, checklists agree",
      (command) =>
        command
          .option("dry-run", {
            type: "boolean",
            describe: "Report problems but exit 0 (the diagnostics pipeline runs it so)",
          })
          .option("base", { type: "string", describe: "The git revision to compare changes against" })
          .option("format", FORMAT),
      async (argv) => {
        const { runSpecGuardCommand } = await import("../commands/spec-guard.js");
        setExitCode(await runSpecGuardCommand(argv));
      },
    )
    .command(
      "cache <action>",
      "The stage cache: `cache ls` lists stored results, `cache prune` removes the least recently used",
      (command) =>
        command
          .positional("action", {
            type: "string",
            choices: ["ls", "prune"] as const,
            describe: "ls or prune",
          })
          .option("max-size", {
            type: "string",
            describe: "prune: keep at most this much (bytes, or 500MB, 2GiB; 0 empties the cache)",
          })
          .option("format", FORMAT),
      async (argv) => {
        const { runCache } = await import("../commands/cache.js");
        setExitCode(await runCache(argv));
      },
    )
    .command(
      "worker",
      "Run stages from the queue in this checkout (the bullmq executor; docs/distributed.md)",
      (command) =>
        command
          .option("queue", {
            type: "string",
            describe: "The queue to take stages from (default: codex-stages)",
          })
          .option("concurrency", {
            type: "string",
            describe: "How many stages this worker runs at once, a positive whole number (default 1)",
          }),
      async (argv) => {
        const { runWorker } = await import("../commands/worker.js");
        setExitCode(await runWorker(argv));
      },
    );
}

import type { Argv } from "yargs";
import { withHelp } from "../usage/help-text.js";
import { FORMAT, runIdOption } from "../usage/shared-options.js";

/**
 * `runs --status`: the schema's run statuses, plus `unreadable`. Written out rather than imported:
 * the parser loads on every command, the schema (with zod) only where a command needs it; a test
 * keeps the two lists alike.
 */
export const RUNS_STATUS_CHOICES: readonly string[] = [
  "queued",
  "in_progress",
  "succeeded",
  "failed",
  "cancelled",
  "awaiting_approval",
  "unreadable",
];

/**
 * The commands status, logs and runs: where runs stand and what they printed.
 * Each handler loads its command's code only when it runs.
 */
export function addReadingCommands<T>(parser: Argv<T>, setExitCode: (code: number) => void): Argv<T> {
  return parser
    .command(
      "status [run-id]",
      "Show where a run stands: heartbeat, stages, child runs, approvals, metrics",
      (command) =>
        runIdOption(withHelp("status", command))
          .option("latest", {
            type: "boolean",
            describe: "The newest run you started (of --task, or of all tasks); child runs only with --all",
          })
          .option("all", { type: "boolean", describe: "With --latest: child runs count too" })
          .option("task", { type: "string", describe: "With --latest: the task" })
          .option("watch", {
            type: "boolean",
            describe:
              "Repeat until the run ends or pauses, showing what its child runs do (exit code then follows the run)",
          })
          .option("interval", { type: "number", default: 10, describe: "Seconds between --watch polls" })
          .option("format", FORMAT),
      async (argv) => {
        const { runStatus } = await import("../commands/status.js");
        setExitCode(await runStatus(argv));
      },
    )
    .command(
      "logs [run-id]",
      "Print a run's output as text (stage prefixes, stderr marked); --follow a live run to its end",
      (command) =>
        runIdOption(command)
          .option("stage", { type: "string", describe: "Only this stage's output" })
          .option("follow", {
            type: "boolean",
            alias: "f",
            describe: "Keep printing what the run writes until it ends (from another shell)",
          })
          .option("format", {
            ...FORMAT,
            describe: "Output format (json: the log's NDJSON lines as written, merged in time order)",
          }),
      async (argv) => {
        const { runLogs } = await import("../commands/logs.js");
        setExitCode(await runLogs(argv));
      },
    )
    .command(
      "runs",
      "List the runs you started across tasks, newest first (child runs with --all)",
      (command) =>
        withHelp("runs", command)
          .option("task", { type: "string", describe: "Only this task" })
          .option("status", {
            type: "string",
            choices: RUNS_STATUS_CHOICES,
            describe: "Only runs with this status",
          })
          .option("pipeline", { type: "string", describe: "Only this pipeline" })
          .option("parent", { type: "string", describe: "Only children of this run" })
          .option("since", {
            type: "string",
            describe: "Only runs started since a date (2025-10-31) or a duration (90m, 12h, 7d)",
          })
          .option("limit", { type: "number", describe: "At most this many rows" })
          .option("all", { type: "boolean", describe: "Child runs too, each under its parent" })
          .option("html", {
            type: "boolean",
            describe: "Write the page of the runs that match (as report --index) instead of listing them",
          })
          .option("out", { type: "string", describe: "With --html: where to write the page" })
          .option("format", FORMAT),
      async (argv) => {
        const { runRuns } = await import("../commands/runs.js");
        setExitCode(await runRuns(argv));
      },
    );
}

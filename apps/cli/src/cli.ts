import yargs from "yargs";
import { APPROVAL_POLICY_CHOICES } from "./usage/approval-policies.js";
import { reportError, UsageError } from "./errors.js";
import { EXIT_CODES_HELP, withHelp } from "./usage/help-text.js";
import { resolveRootOption, ROOT_OPTION } from "./usage/root-option.js";
import { cacheOption, FORMAT, runIdOption, stageGraphOptions } from "./usage/shared-options.js";
import { closestMatch } from "./usage/suggestions.js";
import { skipHelpPrerendering } from "./usage/lazy-help.js";
import { commandNames, usageError, type YargsUsage } from "./usage/usage-error.js";
import { VERSION } from "./version.js";

/** Parses the command line and runs one command; resolves to the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let exitCode = 0;
  const parser = yargs([...args])
    .scriptName("codex-orchestrator")
    .usage("$0 <command> [options]\n\nRun named pipelines and leave auditable evidence under .runs/.")
    // Global: every command takes it; checked once here, before any command writes anything.
    .option("root", ROOT_OPTION)
    .middleware((argv) => resolveRootOption(argv))
    .command(
      "start [pipeline]",
      "Run a pipeline (default: the config's defaultPipeline, else diagnostics)",
      (command) =>
        cacheOption(
          stageGraphOptions(
            withHelp("start", command)
              .positional("pipeline", { type: "string", describe: "Pipeline id" })
              .option("task", {
                type: "string",
                describe: "Task id (default: MCP_RUNNER_TASK_ID, the project folder, else 0101)",
              })
              .option("parent-run", { type: "string", describe: "Attach to this parent run (lineage)" })
              .option("actor", {
                type: "string",
                describe: "Who starts the run, recorded in its provenance (default: the OS user)",
              })
              .option("approval-policy", {
                type: "string",
                describe: `At a manual stage (recorded as given; unknown values pause): ${APPROVAL_POLICY_CHOICES.join(", ")}`,
              })
              .option("force", {
                type: "boolean",
                describe: "Run every cached stage even when its result is stored, and store the results anew",
              }),
          ),
        ).option("format", FORMAT),
      async (argv) => {
        const { runStart } = await import("./commands/start.js");
        exitCode = await runStart(argv);
      },
    )
    .command(
      "plan [pipeline]",
      "Show what a pipeline would run: stages, guardrails, cwd, env and where each came from",
      (command) =>
        withHelp("plan", command)
          .positional("pipeline", { type: "string", describe: "Pipeline id" })
          .option("task", { type: "string", describe: "Task id" })
          .option("cache", {
            type: "boolean",
            describe: "Show each cached stage's key, whether it would be reused and what changed (default)",
          })
          .option("executor", {
            type: "string",
            describe:
              "Look cached stages up where runs of this executor do: local (default) or bullmq (Redis)",
          })
          .option("format", FORMAT),
      async (argv) => {
        const { runPlan } = await import("./commands/plan.js");
        exitCode = await runPlan(argv);
      },
    )
    .command(
      "resume [run-id]",
      "Continue a failed, cancelled, crashed or paused run in place",
      (command) =>
        cacheOption(
          stageGraphOptions(
            runIdOption(withHelp("resume", command))
              .option("token", { type: "string", describe: "The run's resume token (resume-token.json)" })
              .option("actor", { type: "string", describe: "Who resumes (default: cli)" })
              .option("reason", {
                type: "string",
                describe: "Why, recorded in resume_events (default: manual-resume)",
              })
              .option("approval-policy", {
                type: "string",
                describe: `Override the run's approval policy: ${APPROVAL_POLICY_CHOICES.join(", ")}, …`,
              })
              .option("force", {
                type: "boolean",
                describe: "Take over a run whose owner looks alive but whose heartbeat is stale",
              }),
          ),
        ).option("format", FORMAT),
      async (argv) => {
        const { runResume } = await import("./commands/resume.js");
        exitCode = await runResume(argv);
      },
    )
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
        const { runStatus } = await import("./commands/status.js");
        exitCode = await runStatus(argv);
      },
    )
    .command(
      "approve [run-id]",
      "Record a decision for a manual stage that is waiting; then resume the run",
      (command) =>
        runIdOption(withHelp("approve", command))
          .option("stage", {
            type: "string",
            describe: "The manual stage id (default: the gate that is waiting)",
          })
          .option("actor", { type: "string", describe: "Who decides (default: $USER)" })
          .option("reason", { type: "string", describe: "Why, recorded with the decision" })
          .option("reject", { type: "boolean", describe: "Reject instead of approve (fails the run)" })
          .option("plan-hash", {
            type: "string",
            describe: "The plan hash you reviewed; refused if the run's plan differs",
          })
          .option("format", FORMAT),
      async (argv) => {
        const { runApprove } = await import("./commands/approve.js");
        exitCode = await runApprove(argv);
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
        const { runLogs } = await import("./commands/logs.js");
        exitCode = await runLogs(argv);
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
            choices: [
              "queued",
              "in_progress",
              "succeeded",
              "failed",
              "cancelled",
              "awaiting_approval",
              "unreadable",
            ],
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
        const { runRuns } = await import("./commands/runs.js");
        exitCode = await runRuns(argv);
      },
    )
    .command(
      "init",
      "Write a starter codex.orchestrator.json for this repository and keep .runs/ and out/ out of git",
      (command) =>
        command
          .option("force", { type: "boolean", describe: "Replace an existing codex.orchestrator.json" })
          .option("format", FORMAT),
      async (argv) => {
        const { runInit } = await import("./commands/init.js");
        exitCode = await runInit(argv);
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
        const { runSpecGuardCommand } = await import("./commands/spec-guard.js");
        exitCode = await runSpecGuardCommand(argv);
      },
    )
    .command(
      "verify [run-id]",
      "Check a run's signed attestation, every file's digest, the logs' hash chains and its child runs",
      (command) =>
        runIdOption(command)
          .option("key", {
            type: "string",
            describe:
              "The public key (PEM) the run must be signed with (default: the key the attestation records)",
          })
          .option("format", FORMAT),
      async (argv) => {
        const { runVerify } = await import("./commands/verify.js");
        exitCode = await runVerify(argv);
      },
    )
    .command(
      "report [run-id]",
      "Write a run's self-contained HTML report (or, with --index, the page of runs)",
      (command) =>
        runIdOption(command)
          .option("out", {
            type: "string",
            describe: "Where to write (default: report.html in the run folder; index.html in .runs/)",
          })
          .option("open", { type: "boolean", describe: "Open the page in the default browser" })
          .option("index", {
            type: "boolean",
            describe: "The page of runs, filtered by task, status and pipeline, linking each report",
          })
          .option("format", FORMAT),
      async (argv) => {
        const { runReport } = await import("./commands/report.js");
        exitCode = await runReport(argv);
      },
    )
    .command(
      "export-otel [run-id]",
      "Send a finished run (and its child runs) as an OpenTelemetry trace over OTLP/HTTP",
      (command) =>
        runIdOption(command)
          .option("endpoint", {
            type: "string",
            describe:
              "The OTLP/HTTP base address (default: OTEL_EXPORTER_OTLP_ENDPOINT, the config's otel.endpoint, else http://localhost:4318)",
          })
          .option("format", FORMAT),
      async (argv) => {
        const { runExportOtel } = await import("./commands/export-otel.js");
        exitCode = await runExportOtel(argv);
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
        const { runCache } = await import("./commands/cache.js");
        exitCode = await runCache(argv);
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
        const { runWorker } = await import("./commands/worker.js");
        exitCode = await runWorker(argv);
      },
    )
    .command(
      "help [command]",
      "Show this help, or a command's",
      (command) => command.positional("command", { type: "string", describe: "A command" }),
      async (argv) => {
        if (argv.command === undefined) {
          parser.showHelp("log");
          return;
        }
        const commands = topCommands;
        if (!commands.includes(argv.command)) {
          const match = closestMatch(argv.command, commands);
          throw new UsageError(
            `Unknown command: ${argv.command === "" ? '""' : argv.command}`,
            match === null ? "See codex-orchestrator --help." : `did you mean ${match}?`,
          );
        }
        exitCode = await main([argv.command, "--help"]);
      },
    )
    // A bare invocation shows the help; an unknown word is caught by strict() below.
    .command(
      "$0",
      false,
      () => {},
      () => {
        parser.showHelp("log");
      },
    )
    .completion("completion", "Print a bash/zsh completion script (append it to ~/.bashrc or ~/.zshrc)")
    .strict()
    .help()
    .alias("h", "help")
    .version(VERSION)
    .epilogue(EXIT_CODES_HELP)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error, usage: unknown) => {
      if (error) throw error;
      throw usageError(message ?? "invalid usage", args, usage as YargsUsage, topCommands);
    });
  // Read before parsing: inside a command's handler yargs lists that command's subcommands.
  const topCommands = commandNames(parser);
  skipHelpPrerendering(parser);
  try {
    await parser.parseAsync();
  } catch (error) {
    return reportError(error);
  }
  return exitCode;
}

import yargs, { type Argv } from "yargs";
import { APPROVAL_POLICY_CHOICES } from "./approval-policies.js";
import { reportError, UsageError } from "./errors.js";
import { EXIT_CODES_HELP, withHelp } from "./usage/help-text.js";
import { closestMatch, describeUnknownArguments } from "./usage/suggestions.js";
import { VERSION } from "./version.js";

const FORMAT = {
  type: "string",
  choices: ["text", "json"] as const,
  default: "text",
  describe: "Output format (json: one document on stdout)",
} as const;

function runIdOption<T>(argv: Argv<T>) {
  return argv
    .positional("run-id", { type: "string", describe: "The run id (or use --run)" })
    .option("run", { type: "string", describe: "The run id" });
}

// How `start` and `resume` walk the stage graph.
function stageGraphOptions<T>(argv: Argv<T>) {
  return argv
    .option("concurrency", {
      type: "string",
      describe:
        "How many stages may run at once, a positive whole number (default: the pipeline's concurrency, else the number of CPUs)",
    })
    .option("continue", {
      type: "boolean",
      describe: "After a stage fails, let the stages that do not depend on it run on",
    });
}

// What yargs passes to fail() as its third argument at run time (its typings say Argv).
interface YargsUsage {
  getDescriptions(): Record<string, unknown>;
}

// The registered command names; yargs has them only behind its internal methods (not in its typings).
function commandNames(parser: unknown): string[] {
  const internal = parser as { getInternalMethods(): { getCommandInstance(): { getCommands(): string[] } } };
  return internal.getInternalMethods().getCommandInstance().getCommands();
}

// yargs' "Unknown argument(s): …" gets the flag or command most likely meant.
function usageError(
  message: string,
  args: readonly string[],
  usage: YargsUsage,
  commands: readonly string[],
): UsageError {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message)?.[1];
  if (unknown === undefined) return new UsageError(message, "See codex-orchestrator --help.");
  // A word is a mistyped command only where a command goes: before one was recognised.
  const command = args[0] !== undefined && commands.includes(args[0]) ? ` ${args[0]}` : "";
  const described = describeUnknownArguments({
    unknown: unknown.split(", "),
    args,
    flags: Object.keys(usage.getDescriptions()),
    commands: command === "" ? commands : [],
  });
  return new UsageError(described.message, described.hint ?? `See codex-orchestrator${command} --help.`);
}

/** Parses the command line and runs one command; resolves to the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let exitCode = 0;
  const parser = yargs([...args])
    .scriptName("codex-orchestrator")
    .usage("$0 <command> [options]\n\nRun named pipelines and leave auditable evidence under .runs/.")
    .command(
      "start [pipeline]",
      "Run a pipeline (default: the config's defaultPipeline, else diagnostics)",
      (command) =>
        stageGraphOptions(
          withHelp("start", command)
            .positional("pipeline", { type: "string", describe: "Pipeline id" })
            .option("task", {
              type: "string",
              describe: "Task id (default: MCP_RUNNER_TASK_ID, the project folder, else 0101)",
            })
            .option("parent-run", { type: "string", describe: "Attach to this parent run (lineage)" })
            .option("approval-policy", {
              type: "string",
              describe: `At a manual stage (recorded as given; unknown values pause): ${APPROVAL_POLICY_CHOICES.join(", ")}`,
            }),
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
          .option("format", FORMAT),
      async (argv) => {
        const { runRuns } = await import("./commands/runs.js");
        exitCode = await runRuns(argv);
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
  try {
    await parser.parseAsync();
  } catch (error) {
    return reportError(error);
  }
  return exitCode;
}

import yargs, { type Argv } from "yargs";
import { APPROVAL_POLICY_CHOICES } from "./approval-policies.js";
import { reportError, UsageError } from "./errors.js";
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
    })
    .option("executor", {
      type: "string",
      describe:
        "Where command stages run: local (default) or bullmq (workers through Redis; docs/distributed.md)",
    });
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
          command
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
        command
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
          runIdOption(command)
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
        runIdOption(command)
          .option("latest", { type: "boolean", describe: "The newest run (of --task, or of all tasks)" })
          .option("task", { type: "string", describe: "With --latest: the task" })
          .option("watch", {
            type: "boolean",
            describe: "Repeat until the run is terminal (exit code then follows the run)",
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
        runIdOption(command)
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
      "List runs across tasks, newest first",
      (command) =>
        command
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
          .option("format", FORMAT),
      async (argv) => {
        const { runRuns } = await import("./commands/runs.js");
        exitCode = await runRuns(argv);
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
      "help",
      "Show this help",
      () => {},
      () => {
        parser.showHelp("log");
      },
    )
    .demandCommand(1, "Name a command: start, plan, resume, status, approve, runs or worker")
    .recommendCommands()
    .strict()
    .help()
    .alias("h", "help")
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError(message ?? "invalid usage", "See codex-orchestrator --help.");
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    return reportError(error);
  }
  return exitCode;
}

import type { Argv } from "yargs";
import { APPROVAL_POLICY_CHOICES } from "../usage/approval-policies.js";
import { withHelp } from "../usage/help-text.js";
import { cacheOption, FORMAT, runIdOption, stageGraphOptions } from "../usage/shared-options.js";

/**
 * The commands start, plan, resume and approve: a run from its plan to its end.
 * Each handler loads its command's code only when it runs.
 */
export function addRunCommands<T>(parser: Argv<T>, setExitCode: (code: number) => void): Argv<T> {
  return parser
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
        const { runStart } = await import("../commands/start.js");
        setExitCode(await runStart(argv));
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
        const { runPlan } = await import("../commands/plan.js");
        setExitCode(await runPlan(argv));
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
        const { runResume } = await import("../commands/resume.js");
        setExitCode(await runResume(argv));
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
        const { runApprove } = await import("../commands/approve.js");
        setExitCode(await runApprove(argv));
      },
    );
}

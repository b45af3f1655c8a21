import { CodexOrchestrator } from "@codex/orchestrator-core";
import { MAX_TIMER_SECONDS, TERMINAL_RUN_STATUSES, type StatusOutput } from "@codex/orchestrator-schema";
import { exitCodeForRun } from "@codex/orchestrator-core";
import { UsageError } from "../errors.js";
import { nextSteps } from "../run/next-steps.js";
import { runIdFrom } from "../usage/run-id-argument.js";
import { createPainter, printJson } from "../terminal.js";
import { rootOptions } from "../usage/root-option.js";

/** `status [run-id]`, `status --latest`, `status --watch`. */
export async function runStatus(argv: {
  runId?: string | undefined;
  run?: string | undefined;
  latest?: boolean | undefined;
  all?: boolean | undefined;
  task?: string | undefined;
  watch?: boolean | undefined;
  interval: number;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  if (!Number.isFinite(argv.interval) || argv.interval <= 0)
    throw new UsageError(`--interval must be a positive number of seconds (got ${argv.interval})`);
  // A longer wait overflows Node's timer and would poll every millisecond.
  if (argv.interval > MAX_TIMER_SECONDS)
    throw new UsageError(`--interval must be at most ${MAX_TIMER_SECONDS} seconds (got ${argv.interval})`);
  const orchestrator = new CodexOrchestrator(rootOptions(argv));
  let runId: string;
  if (argv.latest) {
    if (argv.runId !== undefined || argv.run !== undefined)
      throw new UsageError("Give a run id or --latest, not both");
    // A person's newest run, not a stage's nested run, unless --all.
    const latest = await orchestrator.latestRun(argv.task, { includeChildren: argv.all === true });
    if (latest === null)
      throw new UsageError(argv.task === undefined ? "No runs yet" : `No runs yet for task ${argv.task}`);
    runId = latest.runId;
  } else {
    if (argv.task !== undefined)
      throw new UsageError("--task goes with --latest (a run id already names its task)");
    if (argv.all === true) throw new UsageError("--all goes with --latest (a run id already names one run)");
    runId = runIdFrom(argv);
  }
  if (!argv.watch) {
    const status = await orchestrator.status(runId);
    if (argv.format === "json") printJson(status);
    else process.stdout.write(renderStatus(status, argv.root));
    return 0;
  }
  for (;;) {
    const status = await orchestrator.status(runId);
    if (argv.format === "json") process.stdout.write(`${JSON.stringify(status)}\n`);
    else {
      if (process.stdout.isTTY) process.stdout.write("\u001b[2J\u001b[H");
      process.stdout.write(renderStatus(status, argv.root));
    }
    if (
      TERMINAL_RUN_STATUSES.includes(status.status) ||
      status.status === "awaiting_approval" ||
      status.heartbeat.stale
    ) {
      return exitCodeForRun(status.status, status.status_detail);
    }
    await new Promise((resolve) => setTimeout(resolve, argv.interval * 1000));
  }
}

/** The text form of a status. */
export function renderStatus(status: StatusOutput, root?: string): string {
  const paint = createPainter(process.stdout);
  const lines: string[] = [];
  const colour =
    status.status === "succeeded"
      ? paint.green
      : status.status === "failed" || status.status === "cancelled"
        ? paint.red
        : paint.yellow;
  lines.push(
    paint.bold(`Run ${status.run_id}`) + ` (task ${status.task_id}, pipeline ${status.pipeline_id})`,
  );
  lines.push(`Status: ${colour(status.status)}${status.status_detail ? ` (${status.status_detail})` : ""}`);
  lines.push(
    `Started: ${status.started_at}${status.completed_at ? `   Completed: ${status.completed_at}` : ""}`,
  );
  if (status.parent_run_id) lines.push(`Parent run: ${status.parent_run_id}`);
  if (status.commit) lines.push(`Commit: ${status.commit}`);
  const beat = status.heartbeat;
  const age = beat.age_seconds === null ? "never" : `${beat.age_seconds}s ago`;
  const owner =
    beat.owner_alive === false ? ", owner process gone" : beat.owner_alive === true ? ", owner alive" : "";
  lines.push(
    `Heartbeat: ${beat.updated_at ?? "none"} (${age}${owner})${beat.stale ? ` ${paint.red("STALE")}` : ""}`,
  );
  lines.push("Stages:");
  const width = Math.max(...status.commands.map((entry) => entry.id.length), 4);
  for (const entry of status.commands) {
    const exit = entry.exit_code === null ? "" : `exit ${entry.exit_code}`;
    const child = entry.sub_run_id ? ` → ${entry.sub_run_id}` : "";
    // Why a stage was stopped or not run (the stage graph), when it says.
    const why = entry.status_detail ? `${exit === "" ? "" : " "}(${entry.status_detail})` : "";
    lines.push(
      `  ${String(entry.index).padStart(2)} ${entry.id.padEnd(width)}  ${entry.status.padEnd(9)} ${exit}${child}${why}`,
    );
  }
  if (status.child_runs.length > 0) {
    lines.push("Child runs:");
    for (const child of status.child_runs) {
      // What a child is doing now, so a parent's status (and --watch) follows its children.
      const doing = child.running_stages?.length
        ? ` (running ${child.running_stages.join(", ")})`
        : child.status_detail
          ? ` (${child.status_detail})`
          : "";
      lines.push(`  ${child.run_id}  ${child.task_id}/${child.pipeline_id}  ${child.status}${doing}`);
    }
  }
  status.approvals.forEach((approval, index) => {
    lines.push(
      `Approval [${index}]: ${approval.stage_id} ${approval.decision} by ${approval.actor}${approval.reason ? ` (${approval.reason})` : ""} at ${approval.timestamp}`,
    );
  });
  const gate = status.waiting_gate;
  if (gate?.decision === "pending")
    lines.push(
      paint.yellow(`Pending approval: ${gate.stage_id}`) +
        (gate.run_id === status.run_id ? "" : ` (in child run ${gate.run_id})`),
    );
  lines.push(`Metrics: ${status.metrics.recorded ? "recorded" : "not recorded"} (${status.metrics.path})`);
  if (status.failure) {
    lines.push(
      paint.red(
        `Failed stage: ${status.failure.stage_id}${status.failure.exit_code === null ? "" : ` (exit ${status.failure.exit_code})`}`,
      ),
    );
    for (const line of status.failure.tail) lines.push(`  ${line}`);
    if (status.failure.error_file) lines.push(`Error details: ${status.failure.error_file}`);
  }
  lines.push(
    ...nextSteps({
      runId: status.run_id,
      status: status.status,
      statusDetail: status.status_detail,
      waitingGate: status.waiting_gate,
      heartbeat: status.heartbeat,
      root,
    }),
  );
  lines.push(`Manifest: ${status.manifest}`);
  const guardrail = status.summary?.split("\n").pop();
  if (guardrail) lines.push(guardrail);
  return `${lines.join("\n")}\n`;
}

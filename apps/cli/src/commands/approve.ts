import { CodexOrchestrator, resolveActor } from "@codex/orchestrator-core";
import { UsageError } from "../errors.js";
import { cliCommand } from "../run/next-steps.js";
import { runIdFrom } from "../usage/run-id-argument.js";
import { printJson } from "../terminal.js";
import { rootOptions } from "../usage/root-option.js";

/** `approve [run-id] [--stage <id>] [--actor <name>] [--reason …] [--reject]`. */
export async function runApprove(argv: {
  runId?: string | undefined;
  run?: string | undefined;
  stage?: string | undefined;
  actor?: string | undefined;
  reason?: string | undefined;
  reject?: boolean | undefined;
  planHash?: string | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  const runId = runIdFrom(argv);
  const bin = cliCommand(argv.root);
  const orchestrator = new CodexOrchestrator(rootOptions(argv));
  const before = await orchestrator.status(runId);
  let stageId = argv.stage;
  if (stageId === undefined) {
    // The gate that stops the run: waiting, or rejected (approving it after all).
    const gate = before.waiting_gate;
    if (gate !== null && gate !== undefined && gate.run_id !== runId)
      throw new UsageError(
        `Run ${runId} waits on gate ${gate.stage_id} of its child run ${gate.run_id}`,
        `Approve with: ${bin} approve ${gate.run_id} --stage ${gate.stage_id}`,
      );
    if (gate === null || gate === undefined)
      throw new UsageError(`Run ${runId} has no gate waiting; name one with --stage <id>`);
    stageId = gate.stage_id;
  }
  const actor = resolveActor(argv.actor);
  const recorded = await orchestrator.approve(runId, {
    // The decision was made on the gate as it stood when this command began.
    issuedAt: new Date(performance.timeOrigin),
    stageId,
    actor,
    ...(argv.reason === undefined ? {} : { reason: argv.reason }),
    ...(argv.reject === undefined ? {} : { reject: argv.reject }),
    ...(argv.planHash === undefined ? {} : { planHash: argv.planHash }),
  });
  // A rejection fails the run at once: resuming replays the gate, which now fails, and finalises
  // the run (status, metrics line, run summary, state snapshot) like any other failure.
  let runStatus = before.status;
  if (recorded.approval.decision === "rejected" && before.status === "awaiting_approval") {
    const result = await orchestrator.resume(runId, {
      actor,
      reason: `gate ${stageId} rejected`,
      approvalPolicy: "pause",
    });
    runStatus = result.status;
  }
  if (argv.format === "json") {
    printJson({
      run_id: runId,
      ...recorded.approval,
      index: recorded.index,
      manifest: recorded.manifest,
      citation: recorded.citation,
      run_status: runStatus,
    });
  } else {
    // Resuming the outermost run this gate pauses continues it and every run in between.
    const resumeId = await pausedAncestor(orchestrator, runId, before.parent_run_id);
    process.stdout.write(
      `Recorded: ${stageId} ${recorded.approval.decision} by ${actor}\nCite: ${recorded.citation}\n` +
        (recorded.approval.decision === "approved"
          ? `Continue with: ${bin} resume ${resumeId}\n`
          : `Run ${runId} is ${runStatus}: rejected at this gate.\n` +
            `To approve it after all: ${bin} approve ${runId} --stage ${stageId}\n` +
            `Then continue with: ${bin} resume ${resumeId}\n`),
    );
  }
  return 0;
}

// The outermost run whose stopping gate is this run's: its parent, grandparent, … while they wait on it.
async function pausedAncestor(
  orchestrator: CodexOrchestrator,
  runId: string,
  parentRunId: string | null,
): Promise<string> {
  let top = runId;
  let parent = parentRunId;
  for (let depth = 0; parent !== null && depth < 32; depth += 1) {
    let status;
    try {
      status = await orchestrator.status(parent);
    } catch {
      break;
    }
    if (status.waiting_gate?.run_id !== runId) break;
    top = parent;
    parent = status.parent_run_id;
  }
  return top;
}

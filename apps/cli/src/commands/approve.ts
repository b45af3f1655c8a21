import { CodexOrchestrator, resolveActor } from "@codex/orchestrator-core";
import { UsageError } from "../errors.js";
import { runIdFrom } from "../run-id-argument.js";
import { printJson } from "../terminal.js";

/** `approve [run-id] --stage <id> --actor <name> [--reason …] [--reject]`. */
export async function runApprove(argv: {
  runId?: string | undefined;
  run?: string | undefined;
  stage?: string | undefined;
  actor?: string | undefined;
  reason?: string | undefined;
  reject?: boolean | undefined;
  planHash?: string | undefined;
  format: string;
}): Promise<number> {
  const runId = runIdFrom(argv);
  const orchestrator = new CodexOrchestrator();
  const before = orchestrator.status(runId);
  let stageId = argv.stage;
  if (stageId === undefined) {
    const pending = before.pending_approvals ?? [];
    if (pending.length !== 1)
      throw new UsageError(`Run ${runId} has no gate waiting; name one with --stage <id>`);
    stageId = pending[0] as string;
  }
  const actor = resolveActor(argv.actor);
  if (actor === null) throw new UsageError("Say who decides with --actor <name>");
  const recorded = orchestrator.approve(runId, {
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
    process.stdout.write(
      `Recorded: ${stageId} ${recorded.approval.decision} by ${actor}\nCite: ${recorded.citation}\n` +
        (recorded.approval.decision === "approved"
          ? `Continue with: codex-orchestrator resume ${runId}\n`
          : `Run ${runId} is ${runStatus}: rejected at this gate.\n`),
    );
  }
  return 0;
}

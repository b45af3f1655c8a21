import type { Approval, ManualStage } from "@codex/orchestrator-schema";
import type { StageContext, StageOutcome } from "./stage-context.js";

/**
 * Runs a manual gate: a decision already recorded for this plan settles it; otherwise the approval
 * policy may decide (prompt, auto-approve, auto-reject), and if it does not, the gate waits.
 */
export async function runGateStage(context: StageContext, stage: ManualStage): Promise<StageOutcome> {
  const { session, item, bus } = context;
  const recorder = session.recorder;
  const planHash = session.plan.planHash;
  let decision = latestDecision(session.manifest.approvals, stage.id);
  if (decision !== null && decision.plan_hash !== planHash) {
    bus.emit("warning", {
      runId: session.manifest.run_id,
      message: `Ignoring the ${decision.decision} decision for gate ${stage.id}: it was made for plan ${decision.plan_hash}, this run's plan is ${planHash}.`,
    });
    decision = null;
  }
  // What the gate shows a person (prompt, progress) is redacted like what the run writes.
  const instructions = stage.instructions === undefined ? null : context.redactor.redact(stage.instructions);
  if (decision === null) {
    const policyDecision = await context.approvalPolicy.decide({
      runId: session.manifest.run_id,
      stageId: stage.id,
      title: context.redactor.redact(stage.title),
      instructions,
      planHash,
      prompt: context.approvalPrompt,
    });
    if (policyDecision !== null) {
      const approval: Approval = {
        stage_id: stage.id,
        actor: policyDecision.actor,
        decision: policyDecision.decision,
        reason: policyDecision.reason,
        timestamp: new Date().toISOString(),
        plan_hash: planHash,
      };
      recorder.record(
        {
          type: "approval:recorded",
          stage_id: stage.id,
          decision: approval.decision,
          actor: approval.actor,
          approval,
        },
        item.index,
        "soon",
      );
      decision = latestDecision(session.manifest.approvals, stage.id);
    }
  }
  if (decision === null) {
    recorder.record(
      { type: "approval:requested", stage_id: stage.id, plan_hash: planHash },
      item.index,
      "later",
    );
    bus.emit("approval:requested", {
      runId: session.manifest.run_id,
      stageId: stage.id,
      planHash,
      instructions,
    });
    return {
      status: "paused",
      detail: `approval:${stage.id}:pending`,
      summary: "awaiting approval",
      errorFile: null,
    };
  }
  const summary = `${decision.decision} by ${decision.actor}${decision.reason ? `: ${decision.reason}` : ""}`;
  return decision.decision === "approved"
    ? { status: "succeeded", detail: null, summary, errorFile: null }
    : { status: "failed", detail: `approval:${stage.id}:rejected`, summary, errorFile: null };
}

/** The last decision recorded for a gate, or null. */
export function latestDecision(approvals: readonly Approval[], stageId: string): Approval | null {
  const decisions = approvals.filter((approval) => approval.stage_id === stageId);
  return decisions[decisions.length - 1] ?? null;
}

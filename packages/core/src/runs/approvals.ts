import path from "node:path";
import {
  resolveRunPaths,
  withLock,
  toRepoPath,
  type FoundRun,
  type OrchestratorLocations,
} from "@codex/orchestrator-persistence";
import type { Approval } from "@codex/orchestrator-schema";
import { loadRunState } from "../record/run-log.js";
import { redactFields, REDACTED_FIELDS } from "../record/value-redaction.js";
import { ApprovalError } from "../errors.js";
import { appendJournalEntry, refreshUnownedManifest, withJournal } from "../record/manifest-journal.js";
import type { Redactor } from "../process/redaction.js";
import { readPlanSnapshot } from "../plan/plan-snapshot.js";

/** Options for {@link recordApproval}. */
export interface RecordApprovalOptions {
  locations: OrchestratorLocations;
  found: FoundRun;
  stageId: string;
  actor: string;
  reason: string | null;
  decision: "approved" | "rejected";
  /** The plan hash the approver reviewed; refused when the run's plan differs. */
  planHash: string | null;
  /** Redacts the decision's reason. */
  redactor: Redactor;
  /**
   * When the approver issued the decision (default: now). A decision for the gate recorded after
   * it is one the approver could not have seen: theirs is refused rather than silently overriding.
   */
  issuedAt?: Date;
}

/** The per-run lock that makes checking a gate and recording its decision one step. */
export const APPROVALS_LOCK = "approvals.lock";

/** A recorded decision and how a reviewer cites it. */
export interface RecordedApproval {
  approval: Approval;
  index: number;
  manifest: string;
  /** `<manifest path>#approvals[<i>]`. */
  citation: string;
}

/**
 * Records a decision for a gate that is waiting (or that was rejected before), bound to the hash
 * of the run's plan. Refused: an unknown or non-manual stage, a gate not waiting, a plan that has
 * changed since the run started, or a `planHash` that is not the run's.
 */
export function recordApproval(options: RecordApprovalOptions): RecordedApproval {
  const { locations, found } = options;
  const issuedAt = options.issuedAt ?? new Date();
  const paths = resolveRunPaths(locations, { taskId: found.taskId, runId: found.runId });
  // Two decisions at once (approve and --reject) must not both pass the checks: the journal is
  // read again under the lock, so the second sees the first.
  return withLock(path.join(paths.runDir, APPROVALS_LOCK), () => checkAndRecord(options, paths, issuedAt), {
    purpose: "approval",
  });
}

function checkAndRecord(
  options: RecordApprovalOptions,
  paths: ReturnType<typeof resolveRunPaths>,
  issuedAt: Date,
): RecordedApproval {
  const { locations, found, stageId } = options;
  // The run as it stands, with decisions not yet recorded by its owner taken into account.
  const manifest = withJournal(loadRunState(paths), paths);
  const entry = manifest.commands.find((candidate) => candidate.id === stageId);
  const gates = manifest.commands
    .filter((candidate) => candidate.kind === "manual")
    .map((candidate) => candidate.id);
  if (entry === undefined) {
    throw new ApprovalError(
      `Run ${found.runId} has no stage "${stageId}" (manual gates: ${gates.join(", ") || "none"})`,
    );
  }
  if (entry.kind !== "manual") {
    throw new ApprovalError(
      `Stage "${stageId}" of run ${found.runId} is a ${entry.kind} stage, not a manual gate`,
    );
  }
  const waiting =
    manifest.status === "awaiting_approval" && manifest.status_detail === `approval:${stageId}:pending`;
  const rejected = manifest.status === "failed" && manifest.status_detail === `approval:${stageId}:rejected`;
  if (!waiting && !rejected) {
    throw new ApprovalError(
      `Gate "${stageId}" of run ${found.runId} is not awaiting approval (run is ${manifest.status}${manifest.status_detail ? `, ${manifest.status_detail}` : ""})`,
    );
  }
  const decided = manifest.approvals.filter((candidate) => candidate.stage_id === stageId).pop();
  if (decided !== undefined && Date.parse(decided.timestamp) >= issuedAt.getTime()) {
    throw new ApprovalError(
      `Gate "${stageId}" of run ${found.runId} was ${decided.decision} by ${decided.actor} at ${decided.timestamp}, while this decision was being made; it was not recorded`,
    );
  }
  if (waiting && decided !== undefined && decided.decision === "approved") {
    throw new ApprovalError(
      `Gate "${stageId}" of run ${found.runId} was already approved by ${decided.actor} at ${decided.timestamp}; resume the run to continue`,
    );
  }
  const plan = readPlanSnapshot(paths.pipelineSnapshot, locations.root);
  if (manifest.plan_hash !== undefined && manifest.plan_hash !== plan.planHash) {
    throw new ApprovalError(
      `The plan of run ${found.runId} has changed since it started (${manifest.plan_hash} → ${plan.planHash}); refusing to approve`,
    );
  }
  if (options.planHash !== null && options.planHash !== plan.planHash) {
    throw new ApprovalError(
      `Plan ${options.planHash} was reviewed, but run ${found.runId} runs plan ${plan.planHash}; refusing to record the decision`,
    );
  }
  const approval: Approval = redactFields(
    {
      stage_id: stageId,
      actor: options.actor,
      decision: options.decision,
      reason: options.reason,
      timestamp: new Date().toISOString(),
      plan_hash: plan.planHash,
    },
    REDACTED_FIELDS.decision,
    options.redactor,
  );
  appendJournalEntry(paths.runDir, "approvals", approval);
  const updated = refreshUnownedManifest(paths);
  const index = updated.approvals.findIndex(
    (candidate) =>
      candidate.timestamp === approval.timestamp &&
      candidate.actor === approval.actor &&
      candidate.stage_id === stageId,
  );
  const manifestPath = toRepoPath(locations.root, paths.manifest);
  return { approval, index, manifest: manifestPath, citation: `${manifestPath}#approvals[${index}]` };
}

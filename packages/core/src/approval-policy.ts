import { OrchestratorError } from "@codex/orchestrator-schema";

/** A decision at a manual gate, from a person or a policy. */
export interface GateDecision {
  decision: "approved" | "rejected";
  actor: string;
  reason: string | null;
}

/** What an inline prompt is asked. */
export interface ApprovalRequest {
  runId: string;
  stageId: string;
  title: string;
  instructions: string | null;
  planHash: string;
}

/** Asks someone at a terminal; resolves null when nobody answers (the run then pauses). */
export type ApprovalPrompt = (request: ApprovalRequest) => Promise<GateDecision | null>;

/** The policies `--approval-policy` accepts. */
export const APPROVAL_POLICIES = ["prompt", "pause", "auto-approve", "auto-reject"] as const;
/** The name of an approval policy. */
export type ApprovalPolicyName = (typeof APPROVAL_POLICIES)[number];

/** What happens at a manual stage that has no recorded decision. */
export interface ApprovalPolicy {
  readonly name: ApprovalPolicyName;
  decide(request: ApprovalRequest & { prompt: ApprovalPrompt | undefined }): Promise<GateDecision | null>;
}

/**
 * `prompt` (default): ask inline when a prompt is available (a terminal), else pause.
 * `pause`: always pause for `codex-orchestrator approve`.
 * `auto-approve` / `auto-reject`: decide at once, recorded with actor `policy:<name>` (for CI).
 */
export function createApprovalPolicy(name: string): ApprovalPolicy {
  if (!(APPROVAL_POLICIES as readonly string[]).includes(name)) {
    throw new OrchestratorError(
      `Unknown approval policy "${name}" (expected one of: ${APPROVAL_POLICIES.join(", ")})`,
      {
        code: "ERR_APPROVAL_POLICY",
        usage: true,
      },
    );
  }
  const policy = name as ApprovalPolicyName;
  return {
    name: policy,
    async decide(request) {
      switch (policy) {
        case "prompt":
          return request.prompt === undefined ? null : request.prompt(request);
        case "pause":
          return null;
        case "auto-approve":
          return {
            decision: "approved",
            actor: "policy:auto-approve",
            reason: "approved by --approval-policy auto-approve",
          };
        case "auto-reject":
          return {
            decision: "rejected",
            actor: "policy:auto-reject",
            reason: "rejected by --approval-policy auto-reject",
          };
      }
    },
  };
}

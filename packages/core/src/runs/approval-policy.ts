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

/**
 * A prompt that asks one question at a time: gates in parallel branches reach it together, and a
 * terminal can hold only one conversation.
 */
export function oneAtATime(prompt: ApprovalPrompt): ApprovalPrompt {
  let queue: Promise<unknown> = Promise.resolve();
  return (request) => {
    const asked = queue.then(() => prompt(request));
    queue = asked.catch(() => undefined);
    return asked;
  };
}

/** Our own policies: what they do at a gate is their name. */
export const APPROVAL_POLICIES = ["prompt", "pause", "auto-approve", "auto-reject"] as const;
/** The original CLI's values (Codex approval modes), accepted and recorded as given. */
export const ORIGINAL_APPROVAL_POLICIES = ["never", "on-request", "on-failure", "untrusted"] as const;
/** One of our own policies, which is also what any accepted value behaves as at a gate. */
export type ApprovalPolicyName = (typeof APPROVAL_POLICIES)[number];

/**
 * What a well-formed `--approval-policy` value looks like: a letter, then up to 63 letters, digits,
 * `-`, `_`, `.` or `:` (room for values of newer Codex versions; no spaces or paths).
 */
export const APPROVAL_POLICY_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{0,63}$/;

// The original CLI never stopped at a gate, so its values get the nearest safe behaviour: the
// modes that may ask a person ask when there is a terminal; "never" (never ask) waits for
// `approve` rather than approving by itself. Only our explicit auto-* values decide on their own.
const GATE_BEHAVIOUR: Readonly<Record<string, ApprovalPolicyName>> = {
  prompt: "prompt",
  pause: "pause",
  "auto-approve": "auto-approve",
  "auto-reject": "auto-reject",
  never: "pause",
  "on-request": "prompt",
  "on-failure": "prompt",
  untrusted: "prompt",
};

/** What happens at a manual stage that has no recorded decision. */
export interface ApprovalPolicy {
  /** The value as given, recorded verbatim in `manifest.approval_policy`. */
  readonly name: string;
  /** What it does at a gate; an unknown value pauses. */
  readonly behaviour: ApprovalPolicyName;
  decide(request: ApprovalRequest & { prompt: ApprovalPrompt | undefined }): Promise<GateDecision | null>;
}

/**
 * Accepts any well-formed value and records it verbatim. At a gate:
 * `prompt` (default), `on-request`, `on-failure`, `untrusted`: ask inline when a prompt is
 * available (a terminal), else pause. `pause`, `never` and any value we do not know: pause for
 * `codex-orchestrator approve` (an unknown value never approves a gate by itself).
 * `auto-approve` / `auto-reject`: decide at once, recorded with actor `policy:<name>` (for CI).
 * A malformed value (empty, spaces, slashes, …) is a usage error.
 */
export function createApprovalPolicy(name: string): ApprovalPolicy {
  if (!APPROVAL_POLICY_PATTERN.test(name)) {
    throw new OrchestratorError(
      `Invalid approval policy ${JSON.stringify(name)}: expected a word such as ${[...APPROVAL_POLICIES, ...ORIGINAL_APPROVAL_POLICIES].join(", ")}`,
      { code: "ERR_APPROVAL_POLICY", usage: true },
    );
  }
  const behaviour = GATE_BEHAVIOUR[name] ?? "pause";
  return {
    name,
    behaviour,
    async decide(request) {
      switch (behaviour) {
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

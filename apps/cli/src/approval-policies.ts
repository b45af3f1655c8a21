/**
 * The values `--approval-policy` accepts: core's `APPROVAL_POLICIES`, restated here so that the
 * command parser and the fast path do not load the engine to list them (a test keeps them equal).
 */
export const APPROVAL_POLICY_CHOICES = ["prompt", "pause", "auto-approve", "auto-reject"] as const;

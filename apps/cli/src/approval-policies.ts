/**
 * The values `--approval-policy` accepts: core's `APPROVAL_POLICIES`, restated here so that the
 * command parser does not load the engine to list them (a test keeps them equal).
 */
export const APPROVAL_POLICY_CHOICES = ["prompt", "pause", "auto-approve", "auto-reject"] as const;

/**
 * The `--approval-policy` values core knows by name (ours, then the original CLI's), restated from
 * core's approval-policy.ts so that the command parser's help does not load the engine (a test keeps
 * them equal). Any other well-formed value is accepted too; core says what is wrong with a malformed one.
 */
export const APPROVAL_POLICY_CHOICES = [
  "prompt",
  "pause",
  "auto-approve",
  "auto-reject",
  "never",
  "on-request",
  "on-failure",
  "untrusted",
] as const;

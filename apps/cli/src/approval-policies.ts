/**
 * The `--approval-policy` values core knows by name (ours, then the original CLI's) and the shape of
 * any value it accepts, restated from core's approval-policy.ts so that the command parser and the
 * fast path do not load the engine (a test keeps them equal). Core validates again and says what
 * is wrong with a malformed value.
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

/** A well-formed `--approval-policy` value (core's APPROVAL_POLICY_PATTERN). */
export const APPROVAL_POLICY_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{0,63}$/;

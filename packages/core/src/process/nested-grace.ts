/**
 * A stage's command may itself run the orchestrator (a nested `start`), which on SIGTERM stops its
 * own stage with a grace of its own. Were that grace as long as ours, our SIGKILL would reach the
 * nested orchestrator before it had stopped its stage, orphaning that stage and leaving the nested
 * run `in_progress`. So every stage is told our grace, and a nested orchestrator keeps its own
 * shorter by a margin in which it finalises its run.
 *
 * A grace rather than an absolute deadline is passed down because the deadline only exists once
 * the stop begins, long after the stage was started; the nested orchestrator receives our SIGTERM
 * at that moment, so our SIGKILL comes at most this grace after it.
 */
export const PARENT_KILL_GRACE_ENV = "CODEX_ORCHESTRATOR_PARENT_KILL_GRACE_MS";

// Time a nested orchestrator keeps for writing its run's end after its stage is gone.
const MAX_FINALISE_MARGIN_MS = 1_000;

/** The variable every stage sees: the grace we give it between SIGTERM and SIGKILL. */
export function parentGraceEnvironment(killGraceMs: number): Record<string, string> {
  return { [PARENT_KILL_GRACE_ENV]: String(Math.round(killGraceMs)) };
}

/**
 * Our grace, shortened to end before the parent's when we run inside a parent's stage: the
 * parent's grace less a margin (half of it, at most 1 s).
 */
export function graceWithinParent(ownGraceMs: number, env: NodeJS.ProcessEnv): number {
  const parentGraceMs = Number(env[PARENT_KILL_GRACE_ENV]);
  if (!Number.isFinite(parentGraceMs) || parentGraceMs <= 0) return ownGraceMs;
  const margin = Math.min(MAX_FINALISE_MARGIN_MS, parentGraceMs / 2);
  return Math.max(1, Math.min(ownGraceMs, Math.floor(parentGraceMs - margin)));
}

import type { HeartbeatStatus, RunStatus, WaitingGate } from "@codex/orchestrator-schema";

/**
 * The program as a printed command should call it: with the `--root` this command line was given
 * (absolute), so the command works from the same folder. Quoted for a POSIX shell when needed.
 */
export function cliCommand(root: string | undefined): string {
  if (root === undefined) return "codex-orchestrator";
  const quoted = /^[\w./@%+=:,-]+$/.test(root) ? root : `'${root.replaceAll("'", `'\\''`)}'`;
  return `codex-orchestrator --root ${quoted}`;
}

/** What the next-step lines need to know about a run. */
export interface RunSituation {
  runId: string;
  status: RunStatus;
  statusDetail: string | null;
  /** The gate that stops the run, its own or a child run's (`status` finds it). */
  waitingGate: WaitingGate | null | undefined;
  heartbeat?: Pick<HeartbeatStatus, "stale" | "owner_alive"> | undefined;
  /** `--root` as given to this command line, repeated in each printed command. */
  root?: string | undefined;
}

/**
 * The commands that continue a run, each one that works when copied as printed: approve the gate
 * that stops it (in a child run, that child's gate), then resume the run itself, which resumes its
 * children too. Empty when nothing is left to do.
 */
export function nextSteps(run: RunSituation): string[] {
  const gate = run.waitingGate;
  const bin = cliCommand(run.root);
  const resume = `${bin} resume ${run.runId}`;
  if (gate !== null && gate !== undefined) {
    const approve = `${bin} approve ${gate.run_id} --stage ${gate.stage_id}`;
    const where =
      gate.run_id === run.runId
        ? `Gate ${gate.stage_id}`
        : `Gate ${gate.stage_id} of child run ${gate.run_id} (stage ${gate.via.join(" → ")})`;
    const continues = gate.run_id === run.runId ? "Then continue with" : "Then continue both with";
    return gate.decision === "pending"
      ? [`${where} is waiting for approval. Approve with: ${approve}`, `${continues}: ${resume}`]
      : [`${where} was rejected. To approve it after all: ${approve}`, `${continues}: ${resume}`];
  }
  if (run.status === "failed" || run.status === "cancelled") return [`Resume with: ${resume}`];
  // Paused on a child run that was continued on its own: resuming this run picks up from there.
  if (run.status === "awaiting_approval") return [`Continue with: ${resume}`];
  if ((run.status === "in_progress" || run.status === "queued") && run.heartbeat?.stale === true)
    return run.heartbeat.owner_alive === false
      ? [`Its owner process is gone. Continue it with: ${resume}`]
      : [`Its heartbeat is stale. If its owner hangs, take over with: ${resume} --force`];
  return [];
}

import fs from "node:fs";
import {
  claimRunOwnership,
  LockHeldError,
  readRunOwner,
  takeOverRunOwnership,
  readTextIfExists,
  resolveRunPaths,
  type FoundRun,
  type OrchestratorLocations,
} from "@codex/orchestrator-persistence";
import {
  DEFAULT_RESUME_ACTOR,
  DEFAULT_RESUME_REASON,
  ResumeToken,
  type Manifest,
  type ResumeEvent,
} from "@codex/orchestrator-schema";
import { readHeartbeatFile } from "@codex/orchestrator-telemetry";
import type { ExecutionPlan } from "../plan/command-planner.js";
import { loadRunState } from "../record/run-log.js";
import { redactFields, REDACTED_FIELDS } from "../record/value-redaction.js";
import { ResumeRefusedError } from "../errors.js";
import { appendJournalEntry, refreshUnownedManifest } from "../record/manifest-journal.js";
import { writePlanSnapshot } from "../plan/plan-snapshot.js";
import type { Redactor } from "../process/redaction.js";
import { RunSession } from "../record/run-session.js";
import { stopUnfinishedAttempts, type UnfinishedAttemptsReport } from "./unfinished-attempts.js";

/** Options for {@link prepareResume}. */
export interface PrepareResumeOptions {
  locations: OrchestratorLocations;
  found: FoundRun;
  /** Who resumes; empty means {@link DEFAULT_RESUME_ACTOR}. */
  actor: string;
  /** Why; null or empty means {@link DEFAULT_RESUME_REASON}. */
  reason: string | null;
  /** The token the caller presented, or null when none was given. */
  token: string | null;
  /** Redacts what the resume records (its reason, and everything the resumed run writes). */
  redactor: Redactor;
  /**
   * Take the run over from an owner that still looks alive when its heartbeat is stale (older
   * than the run's `heartbeat_stale_after_seconds`): a hung owner, or a pid /proc cannot disprove.
   */
  force?: boolean;
  /** For nested runs: a child that already succeeded is simply reused. */
  allowSucceeded?: boolean;
  /**
   * Plans the run's pipeline from today's config: to recover secrets redacted in the stored plan, and
   * to plan a run that has no plan snapshot (the original CLI wrote none).
   */
  replan?: (taskId: string, pipelineId: string) => ExecutionPlan;
  /** Whether the resumed run's logs carry hash chains (default true; docs/evidence.md). */
  chained?: boolean;
  /** Between SIGTERM and SIGKILL when stopping what a killed owner left running (default 5000 ms). */
  killGraceMs?: number;
}

/** A run claimed for resuming, or a child that needs nothing. */
export type PreparedResume = { alreadySucceeded: true } | { alreadySucceeded: false; session: RunSession };

/**
 * Checks that a run may be resumed (docs/contract.md §5) and claims it: a wrong token, a live owner, a run
 * that already succeeded, or a concurrent resume that got there first are refused and recorded as
 * `blocked` resume events. On success, processes of attempts the last owner left unfinished are
 * stopped, and stages not succeeded/skipped are reset to pending.
 */
export async function prepareResume(options: PrepareResumeOptions): Promise<PreparedResume> {
  const { locations, found, redactor } = options;
  // Every resume event names someone and a reason, refused ones included (the original's defaults).
  const actor = options.actor.trim() || DEFAULT_RESUME_ACTOR;
  const reason = options.reason?.trim() || DEFAULT_RESUME_REASON;
  const paths = resolveRunPaths(locations, { taskId: found.taskId, runId: found.runId });
  const manifest = loadRunState(paths);
  // A refusal after the claim gives the run back first, so the refusal can be folded into the manifest.
  let claimed: { release(): void } | null = null;
  const block = (detail: string, message: string, hint?: string): never => {
    claimed?.release();
    const event: ResumeEvent = {
      actor,
      reason,
      outcome: "blocked",
      detail,
      timestamp: new Date().toISOString(),
    };
    // Refusals go through the run's journal: its owner (or, with none alive, this process under
    // the manifest lock) records them as events.
    try {
      appendJournalEntry(
        paths.runDir,
        "resume-events",
        redactFields(event, REDACTED_FIELDS.decision, redactor),
      );
      refreshUnownedManifest(paths);
    } catch {
      // Recording the refusal is best effort; the refusal itself stands.
    }
    throw new ResumeRefusedError(message, hint);
  };

  if (manifest.status === "succeeded") {
    if (options.allowSucceeded) return { alreadySucceeded: true };
    block("run already succeeded", `Run ${found.runId} already succeeded; there is nothing to resume`);
  }
  if (options.token !== null) {
    const tokenFile = readTextIfExists(paths.resumeTokenJson, { followLinks: false });
    const recorded = tokenFile === null ? null : ResumeToken.safeParse(parseOrNull(tokenFile));
    const expected = recorded?.success ? recorded.data.token : manifest.resume_token;
    if (options.token !== expected) {
      block(
        "resume token mismatch",
        `Resume token does not match run ${found.runId}`,
        "Use the token in resume-token.json of the run.",
      );
    }
  }
  const owner = readRunOwner(paths.ownerLock);
  let forcedNote: string | null = null;
  if (owner?.alive === true) {
    const heartbeatAt = readHeartbeatFile(paths.heartbeat) ?? manifest.heartbeat_at;
    const ageSeconds =
      heartbeatAt === null ? null : Math.max(0, Math.round((Date.now() - Date.parse(heartbeatAt)) / 1000));
    const staleAfter = manifest.heartbeat_stale_after_seconds;
    const heartbeatStale = ageSeconds === null || ageSeconds > staleAfter;
    if (options.force === true && heartbeatStale) {
      forcedNote =
        `forced: owner process ${owner.pid} looked alive, heartbeat stale ` +
        `(${ageSeconds === null ? "none recorded" : `age ${ageSeconds} s`} > ${staleAfter} s)`;
    } else {
      const heartbeatNote =
        ageSeconds === null ? "no heartbeat" : `heartbeat ${ageSeconds} s old, stale after ${staleAfter} s`;
      block(
        `owner process ${owner.pid} is alive (${heartbeatNote})`,
        `Run ${found.runId} is still running (owned by process ${owner.pid} on ${owner.hostname}; ${heartbeatNote})`,
        heartbeatStale
          ? "Its heartbeat is stale: if that process is hung or is not the owner, take over with the `force` option."
          : "Wait for it to finish, or stop that process first.",
      );
    }
  }
  let lock;
  try {
    lock =
      forcedNote !== null && owner !== null
        ? takeOverRunOwnership(paths.ownerLock, found.runId, owner.pid)
        : claimRunOwnership(paths.ownerLock, found.runId);
  } catch (error) {
    if (error instanceof LockHeldError) {
      block(
        "another process claimed the run first",
        `Run ${found.runId} is being resumed by process ${error.holderPid ?? "?"}`,
      );
    }
    throw error;
  }
  claimed = lock;
  let session: RunSession;
  let plannedToday = false;
  let leftoversNote: string | null = null;
  try {
    // The owner is dead but what it ran may not be: stopped before anything runs again.
    const unfinished = await stopUnfinishedAttempts(paths.runnerLog, options.killGraceMs ?? 5_000);
    leftoversNote = describeUnfinished(unfinished, manifest);
    plannedToday = planRunWithoutSnapshot({ ...options, manifest, paths, block });
    session = RunSession.open({
      locations,
      paths,
      owner: lock,
      redactor,
      replan: options.replan,
      chained: options.chained,
    });
  } catch (error) {
    lock.release();
    throw error;
  }
  const first = session.manifest.commands.find(
    (entry) => entry.status !== "succeeded" && entry.status !== "skipped",
  );
  const detail =
    (forcedNote === null ? "" : `${forcedNote}; `) +
    (first === undefined ? "no stages left to run" : `resuming at stage ${first.id}`) +
    (leftoversNote === null ? "" : `; ${leftoversNote}`) +
    (plannedToday ? `; ${PLANNED_TODAY_NOTE}` : "");
  // What happened while no one recorded it (a refusal while the last owner lived) comes first.
  session.recorder.recordPendingEvents();
  // Applying an accepted resume sets every stage that did not succeed back to pending.
  session.recorder.record(
    {
      type: "run:resume",
      actor,
      outcome: "accepted",
      detail,
      resume_event: { actor, reason, outcome: "accepted", detail, timestamp: new Date().toISOString() },
    },
    null,
    "later",
  );
  return { alreadySucceeded: false, session };
}

// "stopped 2 processes left running by unfinished attempt build#1", or null when none was unfinished.
function describeUnfinished(report: UnfinishedAttemptsReport, manifest: Manifest): string | null {
  if (report.attempts.length === 0) return null;
  const names = report.attempts.map(
    ({ index, attempt }) =>
      `${manifest.commands.find((entry) => entry.index === index)?.id ?? index}#${attempt}`,
  );
  const processes = report.stopped === 1 ? "1 process" : `${report.stopped} processes`;
  return `stopped ${processes} left running by unfinished attempt${names.length === 1 ? "" : "s"} ${names.join(", ")}`;
}

/** Said in the resume event of a run that had no plan snapshot. */
export const PLANNED_TODAY_NOTE =
  "no pipeline.json plan snapshot (run written by the original CLI): planned from today's config";

/**
 * A run the original CLI wrote has no `pipeline.json`: plan its pipeline from today's config and
 * keep that plan as the run's snapshot, so this and later resumes replay one plan. Refused (as a
 * blocked resume) when today's stages are not the run's stages. Returns whether it planned.
 */
function planRunWithoutSnapshot(options: {
  locations: OrchestratorLocations;
  manifest: Manifest;
  paths: ReturnType<typeof resolveRunPaths>;
  redactor: Redactor;
  replan?: ((taskId: string, pipelineId: string) => ExecutionPlan) | undefined;
  block: (detail: string, message: string, hint?: string) => never;
}): boolean {
  const { manifest, paths, replan } = options;
  if (replan === undefined || fs.existsSync(paths.pipelineSnapshot)) return false;
  const plan = replan(manifest.task_id, manifest.pipeline_id);
  const planned = plan.items.map((item) => item.stage.id).join(", ");
  const recorded = manifest.commands.map((entry) => entry.id).join(", ");
  if (planned !== recorded) {
    options.block(
      "no plan snapshot and today's stages differ from the run's",
      `Run ${manifest.run_id} has no pipeline.json and pipeline ${manifest.pipeline_id} now has stages [${planned}], not the run's [${recorded}]`,
      "Start a new run instead, or restore the pipeline's stages in codex.orchestrator.json.",
    );
  }
  writePlanSnapshot(paths.pipelineSnapshot, options.locations.root, plan, options.redactor);
  return true;
}

// A damaged resume-token.json falls back to the manifest's copy of the token.
function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

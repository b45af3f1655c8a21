import {
  PersistenceCoordinator,
  toRepoPath,
  type OrchestratorLocations,
} from "@codex/orchestrator-persistence";
import { TERMINAL_RUN_STATUSES, type RunStatus } from "@codex/orchestrator-schema";
import { buildRunSummary, MetricsRecorder } from "@codex/orchestrator-telemetry";
import type { EventBus } from "../event-bus.js";
import { registerWithParent } from "../record/parent-registration.js";
import type { RunSession } from "../record/run-session.js";
import type { CommandReviewer } from "./command-reviewer.js";

/** What a run came to. */
export interface RunOutcome {
  status: RunStatus;
  statusDetail: string | null;
  /**
   * Files of the run's end that could not be written (metrics line, run summary, state entry). The
   * manifest still says how the run went; the process reports the failure (exit 1).
   */
  writeFailures?: readonly string[];
}

/** What ending a run needs from the manager that ran it. */
export interface RunEndingContext {
  bus: EventBus;
  locations: OrchestratorLocations;
  reviewer: CommandReviewer;
}

/**
 * Ends a run that stopped (finished, paused or cancelled): its metrics line, run summary and state
 * entry, then its `run:end` event and last manifest write, then its parent is told.
 */
export function finishRun(session: RunSession, outcome: RunOutcome, context: RunEndingContext): RunOutcome {
  const { bus } = context;
  const { recorder } = session;
  const runId = session.manifest.run_id;
  // The final beat persists the manifest: it must still say in_progress, or a crash right after it
  // would leave a run that looks finished without its metrics line, run summary or state entry.
  session.stopHeartbeat();
  // The metrics line, run summary and state entry are written from the run as it ends, before its
  // last event (run:end) is logged: a crash in between leaves a log without run:end, so the run
  // reads as unfinished and `resume` finishes it, rather than a finished run missing its records.
  const writeFailures: string[] = [];
  const writeFailed = (message: string) => {
    writeFailures.push(message);
    bus.emit("warning", { runId, message });
  };
  const terminal = TERMINAL_RUN_STATUSES.includes(outcome.status);
  const ending = {
    ...session.manifest,
    status: outcome.status,
    status_detail: outcome.statusDetail,
    completed_at: terminal ? new Date().toISOString() : null,
    run_summary_path: toRepoPath(session.locations.root, session.paths.runSummary),
  };
  let metricsRecorded = false;
  if (terminal) {
    try {
      new MetricsRecorder({ metricsPath: session.paths.metrics }).record(ending);
      metricsRecorded = true;
    } catch (error) {
      writeFailed(`Could not record metrics: ${describeWriteError(error)}`);
    }
  }
  const coordinator = new PersistenceCoordinator({
    runSummaryPath: session.paths.runSummary,
    statePath: session.paths.state,
    taskId: ending.task_id,
    onError: (error, artifact) =>
      writeFailed(`Could not write the ${artifact}: ${describeWriteError(error)}`),
  });
  const detach = coordinator.attach(bus);
  const ended = { ...ending, metrics_recorded: metricsRecorded };
  bus.emit("run:completed", buildRunSummary({ ...ended, summary: context.reviewer.review(ended).summary }));
  detach();
  recorder.record(
    {
      type: "run:end",
      status: outcome.status,
      status_detail: outcome.statusDetail,
      completed_at: ending.completed_at,
      metrics_recorded: metricsRecorded,
      run_summary_path: ending.run_summary_path,
    },
    null,
    "later",
  );
  recorder.persist();
  registerWithParent(session, context);
  bus.emit("run:finished", {
    runId,
    status: outcome.status,
    statusDetail: outcome.statusDetail,
    manifest: session.manifestPath,
  });
  return writeFailures.length === 0 ? outcome : { ...outcome, writeFailures };
}

function describeWriteError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

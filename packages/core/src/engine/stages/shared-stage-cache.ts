import type { CommandStage } from "@codex/orchestrator-schema";
import { recordCache, type CacheDecision } from "./stage-cache.js";
import type { StageContext } from "./stage-context.js";
import type { AttemptCache, AttemptCacheReport } from "../stage-executor.js";

/** A miss handed to an executor with a shared cache, and what the place that ran it reported. */
export interface SharedCacheRun {
  job: AttemptCache;
  /** The last attempt's report (null until one ends, or when the executor said nothing). */
  report: AttemptCacheReport | null;
}

/**
 * Records whether the place that ran a succeeded stage stored it in the shared cache. Not stored
 * (its key differed there, its outputs could not be read, the entry was too large) is a warning:
 * the stage itself succeeded.
 */
export function recordSharedStore(
  context: StageContext,
  stage: CommandStage,
  miss: Extract<CacheDecision, { kind: "miss" }>,
  report: AttemptCacheReport | null,
): void {
  const { session, item } = context;
  const stored = report?.stored ?? false;
  const note = report === null ? "not stored: the executor did not report storing it" : report.note;
  if (!stored && note !== null && note.startsWith("not stored"))
    context.bus.emit("warning", { runId: session.manifest.run_id, message: `stage ${stage.id}: ${note}` });
  recordCache(session, item.index, stage.id, {
    hit: false,
    key: miss.fingerprint.key,
    source_run_id: null,
    stored,
    files: report?.files ?? null,
    note: note ?? miss.note,
  });
}

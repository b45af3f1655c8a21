import type { CommandStage, StageCacheRecord } from "@codex/orchestrator-schema";
import {
  MAX_CACHED_LOG_BYTES,
  type CacheEntry,
  type CacheStore,
  type LogChunk,
} from "../../cache/cache-store.js";
import type { StageClaim } from "../../cache/stage-claim.js";
import { stageCacheSpec, type StageCacheSpec } from "../../cache/stage-cache-spec.js";
import { definitionKey, fingerprintStage, needKeysOf, type StageFingerprint } from "../../cache/stage-key.js";
import { collectOutputs } from "../../cache/output-walk.js";
import { OutputTail } from "../../process/output-tail.js";
import type { RunSession } from "../../record/run-session.js";
import { clipSummary, type StageContext, type StageOutcome } from "./stage-context.js";

/**
 * How a run uses the stage cache: `use` reuses and stores, `refresh` (`--force`) runs every stage
 * and stores the results anew, `off` (`--no-cache`) neither reads nor writes it.
 */
export type CacheMode = "use" | "refresh" | "off";

/** The stage cache as a run sees it. */
export interface StageCacheAccess {
  store: CacheStore;
  mode: CacheMode;
}

/** What consulting the cache decided for a stage. */
export type CacheDecision =
  | { kind: "uncached" }
  | { kind: "hit"; fingerprint: StageFingerprint; entry: CacheEntry; log: LogChunk[] }
  | {
      kind: "miss";
      fingerprint: StageFingerprint;
      spec: StageCacheSpec;
      note: string | null;
      /** Store over what the key holds (`--force`, or an entry found unusable). */
      replace: boolean;
    };

/**
 * Looks a command stage up before it is handed to whatever runs it: computes its key from the
 * files and environment as they are now (its needs have finished), and on a hit restores its
 * outputs. A corrupt or unusable entry is a miss with a warning, never a wrong restore.
 */
export async function consultStageCache(context: StageContext, stage: CommandStage): Promise<CacheDecision> {
  const access = context.cache;
  const { spec } = stageCacheSpec(stage, context.item.guardrail);
  if (access === null || access.mode === "off" || spec === null) return { kind: "uncached" };
  const { session, item } = context;
  const warn = (message: string) =>
    context.bus.emit("warning", { runId: session.manifest.run_id, message: `stage ${stage.id}: ${message}` });
  let fingerprint: StageFingerprint;
  try {
    fingerprint = await fingerprintStage({
      root: session.locations.root,
      cwd: item.cwd,
      command: stage.command,
      stageEnv: stage.env ?? {},
      environment: context.env,
      spec,
      needs: needKeysOf(item.needs, (id) => needInRun(session, id)),
      excluded: [session.locations.runsDir, session.locations.outDir],
    });
  } catch (error) {
    warn(`not cached: its inputs could not be read (${(error as Error).message})`);
    return { kind: "uncached" };
  }
  if (access.mode === "refresh")
    return { kind: "miss", fingerprint, spec, note: "forced (--force)", replace: true };
  return lookUp(context, stage, fingerprint, spec);
}

/**
 * Takes the stage's claim on its key where the store has claims (the local one), so that runs of
 * this repository never run one keyed stage side by side in the same working tree. Once claimed
 * (after waiting for another run to finish it, if need be), the store is asked again: a hit there
 * is this stage's result too.
 * Returns the decision to follow and the claim to release once the stage's result is stored.
 */
export async function claimMiss(
  context: StageContext,
  stage: CommandStage,
  miss: Extract<CacheDecision, { kind: "miss" }>,
): Promise<{ decision: CacheDecision; claim: StageClaim | null }> {
  const store = (context.cache as StageCacheAccess).store;
  if (store.claim === undefined) return { decision: miss, claim: null };
  const runId = context.session.manifest.run_id;
  const warn = (message: string) =>
    context.bus.emit("warning", { runId, message: `stage ${stage.id}: ${message}` });
  let claim: StageClaim;
  try {
    claim = await store.claim(miss.fingerprint.key, {
      signal: context.abortSignal,
      onWait: (pid) =>
        warn(
          `${pid === null ? "another run" : `process ${pid}`} is running it with the same key; waiting to reuse its result`,
        ),
    });
  } catch (error) {
    // Like storing, claiming is best effort (a read-only cache folder): the stage runs unclaimed.
    warn(`its cache key could not be claimed, running it anyway (${(error as Error).message})`);
    return { decision: miss, claim: null };
  }
  // Asked again even without a wait: another run may have stored it and let go between this
  // run's look-up and its claim. `--force` (and an unusable entry) runs it regardless.
  if (miss.replace) return { decision: miss, claim };
  const decision = await lookUp(context, stage, miss.fingerprint, miss.spec);
  return { decision, claim };
}

// The store's entry for a fingerprint, restored: a hit; none: a miss; unusable: a miss that replaces it.
async function lookUp(
  context: StageContext,
  stage: CommandStage,
  fingerprint: StageFingerprint,
  spec: StageCacheSpec,
): Promise<CacheDecision> {
  const access = context.cache as StageCacheAccess;
  try {
    const entry = await access.store.get(fingerprint.key);
    if (entry === null) return { kind: "miss", fingerprint, spec, note: null, replace: false };
    const log = await entry.restore(context.session.locations.root);
    return { kind: "hit", fingerprint, entry, log };
  } catch (error) {
    const note = `cache entry unusable, ran instead: ${(error as Error).message}`;
    context.bus.emit("warning", {
      runId: context.session.manifest.run_id,
      message: `stage ${stage.id}: ${note}`,
    });
    return { kind: "miss", fingerprint, spec, note, replace: true };
  }
}

/**
 * Records a hit as the stage's result: the cache record (key, source run and time), the stored
 * log replayed into the stage's log and runner.ndjson marked `replayed` with its source run.
 */
export function replayCachedStage(
  context: StageContext,
  stage: CommandStage,
  hit: Extract<CacheDecision, { kind: "hit" }>,
): StageOutcome {
  const { session, item, bus } = context;
  const recorder = session.recorder;
  const runId = session.manifest.run_id;
  const source = hit.entry.meta.source;
  const startedAt = Date.now();
  const tail = new OutputTail();
  recorder.openStage(item.index, item.fileStem);
  try {
    recordCache(session, item.index, stage.id, {
      hit: true,
      key: hit.fingerprint.key,
      source_run_id: source.run_id,
      source_task_id: source.task_id,
      source_completed_at: source.completed_at,
      files: hit.entry.meta.outputs.length,
    });
    bus.emit("stage:started", {
      runId,
      index: item.index,
      stageId: stage.id,
      title: stage.title,
      kind: stage.kind,
      attempt: 1,
    });
    const listening = bus.has("stage:output");
    for (const chunk of hit.log) {
      // Redacted when it was recorded; redacted again with this run's secrets.
      const data = context.redactor.redact(chunk.data);
      recorder.output(item.index, { stream: chunk.stream, data, replayedFrom: source.run_id });
      tail.push(data);
      if (listening)
        bus.emit("stage:output", { runId, index: item.index, stageId: stage.id, stream: chunk.stream, data });
    }
    recorder.events.flush();
  } finally {
    recorder.closeStage(item.index);
  }
  bus.emit("stage:finished", {
    runId,
    index: item.index,
    stageId: stage.id,
    status: "succeeded",
    exitCode: 0,
    ending: null,
    durationMs: Date.now() - startedAt,
    tail: tail.lines(20),
    reusedFrom: source.run_id,
  });
  const lastLine = tail.lines(1)[0]?.trim() ?? null;
  return {
    status: "succeeded",
    detail: null,
    summary: clipSummary(`reused from run ${source.run_id}: ${stage.summaryHint ?? lastLine ?? "succeeded"}`),
    errorFile: null,
  };
}

/** Records a miss before the command runs (so its key is in the manifest however it ends). */
export function recordMiss(
  context: StageContext,
  stage: CommandStage,
  miss: Extract<CacheDecision, { kind: "miss" }>,
): void {
  recordCache(context.session, context.item.index, stage.id, {
    hit: false,
    key: miss.fingerprint.key,
    source_run_id: null,
    stored: null,
    note: miss.note,
  });
}

/**
 * Stores a succeeded stage's outputs and log under its key and records whether it was stored.
 * A failure to store is a warning: the stage itself succeeded.
 */
export async function storeStageResult(
  context: StageContext,
  stage: CommandStage,
  miss: Extract<CacheDecision, { kind: "miss" }>,
  log: LogChunk[] | null,
): Promise<void> {
  const { session, item } = context;
  const access = context.cache as StageCacheAccess;
  const root = session.locations.root;
  let stored = false;
  let files: number | null = null;
  let note = miss.note;
  try {
    if (log === null) throw new Error(`its output is larger than ${MAX_CACHED_LOG_BYTES / 1024 / 1024} MiB`);
    const outputs = await collectOutputs({
      root,
      cwd: item.cwd,
      patterns: miss.spec.outputs,
      excluded: [session.locations.runsDir, session.locations.outDir],
    });
    const result = await access.store.put({
      key: miss.fingerprint.key,
      root,
      source: {
        run_id: session.manifest.run_id,
        task_id: session.manifest.task_id,
        pipeline_id: session.manifest.pipeline_id,
        stage_id: stage.id,
        completed_at: new Date().toISOString(),
      },
      fingerprint: miss.fingerprint,
      outputs,
      log,
      replace: miss.replace,
    });
    stored = result === "stored";
    files = outputs.length;
    if (result === "exists") note ??= "another run stored this key first";
  } catch (error) {
    note = `not stored: ${(error as Error).message}`;
    context.bus.emit("warning", { runId: session.manifest.run_id, message: `stage ${stage.id}: ${note}` });
  }
  recordCache(session, item.index, stage.id, {
    hit: false,
    key: miss.fingerprint.key,
    source_run_id: null,
    stored,
    files,
    note,
  });
}

/** Records a stage's cache record (a `stage:cache` event). */
export function recordCache(
  session: RunSession,
  index: number,
  stageId: string,
  cache: StageCacheRecord,
): void {
  session.recorder.record({ type: "stage:cache", stage_id: stageId, cache }, index, "soon");
}

function needInRun(session: RunSession, id: string): { key: string; skipped: boolean } {
  const item = session.plan.items.find((candidate) => candidate.stage.id === id);
  if (item === undefined) return { key: `unknown:${id}`, skipped: false };
  const entry = session.entry(item.index);
  return {
    key: entry.cache?.key ?? definitionKey(item.stage, item.cwd, session.locations.root),
    skipped: entry.status === "skipped",
  };
}

import { MAX_TIMER_SECONDS, type CommandStage } from "@codex/orchestrator-schema";
import { OutputTail } from "../../process/output-tail.js";
import { createStageMarker } from "../../process/leftover-processes.js";
import type { ProcessOutcome } from "../../process/process-runner.js";
import { StageOutput } from "../../process/stage-output.js";
import { writeErrorFile, ERROR_TAIL_CHARACTERS } from "../../record/error-file.js";
import { describeEnd } from "./attempt-ending.js";
import { runEnvironment, stageRedactor } from "./stage-environment.js";
import { clipSummary, type StageContext, type StageOutcome } from "./stage-context.js";
import { parentGraceEnvironment } from "../../process/nested-grace.js";
import { ExecutorUnavailableError, type AttemptPlace, type AttemptResult } from "../stage-executor.js";

// How often a stage whose worker was lost runs again before it fails `stalled`.
const MAX_STALLED_RUNS = 3;

import { CacheLogCollector } from "./cache-log-collector.js";
import {
  claimMiss,
  consultStageCache,
  recordMiss,
  replayCachedStage,
  storeStageResult,
} from "./stage-cache.js";
import { recordSharedStore, type SharedCacheRun } from "./shared-stage-cache.js";

/**
 * Runs a command stage. A stage that declares `cache` is looked up first, here, before its command
 * is handed to whatever runs it: a hit restores its outputs and replays its log without running
 * anything; a miss runs it and stores a success.
 */
export async function runCommandStage(context: StageContext, stage: CommandStage): Promise<StageOutcome> {
  const decision = await consultStageCache(context, stage);
  if (decision.kind === "hit") return replayCachedStage(context, stage, decision);
  if (decision.kind === "uncached") return runCommand(context, stage, null, null);
  // With a shared cache the stage's outputs exist where it ran: that place stores it, not us.
  if (context.executor.sharedCache !== undefined) {
    recordMiss(context, stage, decision);
    const shared: SharedCacheRun = {
      job: { key: decision.fingerprint.key, needs: decision.fingerprint.needs, replace: decision.replace },
      report: null,
    };
    const outcome = await runCommand(context, stage, null, shared);
    if (outcome.status === "succeeded") recordSharedStore(context, stage, decision, shared.report);
    return outcome;
  }
  const { decision: claimed, claim } = await claimMiss(context, stage, decision);
  try {
    if (claimed.kind === "hit") return replayCachedStage(context, stage, claimed);
    if (claimed.kind === "uncached") return await runCommand(context, stage, null, null);
    recordMiss(context, stage, claimed);
    const collector = new CacheLogCollector();
    const outcome = await runCommand(context, stage, collector, null);
    // Failed stages are never cached.
    if (outcome.status === "succeeded") await storeStageResult(context, stage, claimed, collector.chunks());
    return outcome;
  } finally {
    claim?.release();
  }
}

/**
 * Runs a command stage through its attempts: each attempt's start and end are recorded as events
 * (the manifest's attempts follow from them), its output is decoded, redacted and appended to the
 * stage's log and runner.ndjson as it streams, and a failure leaves an error file.
 */
async function runCommand(
  context: StageContext,
  stage: CommandStage,
  collector: CacheLogCollector | null,
  shared: SharedCacheRun | null,
): Promise<StageOutcome> {
  const { session, item, bus } = context;
  const recorder = session.recorder;
  const runId = session.manifest.run_id;
  const redactor = stageRedactor(context.redactor, stage);
  const env: NodeJS.ProcessEnv = {
    ...context.env,
    ...stage.env,
    ...runEnvironment(session),
    ...parentGraceEnvironment(context.killGraceMs),
  };
  const maxAttempts = (stage.retries ?? 0) + 1;
  const firstAttempt = (session.entry(item.index).attempts?.length ?? 0) + 1;
  const lastRecorded = session.entry(item.index).attempts?.at(-1);
  const unfinishedAttempt =
    lastRecorded !== undefined && lastRecorded.completed_at === null ? lastRecorded.attempt : null;
  // A log write that fails (disk full, file-size limit) happens inside a stream callback or later,
  // when collected output is written, where a throw would crash the process and orphan the
  // command: remember it, stop the command, rethrow.
  let logError: unknown = null;
  const stopOnLogError = new AbortController();
  const failLog = (error: unknown) => {
    if (logError !== null) return;
    logError = error;
    stopOnLogError.abort();
  };
  const tails = {
    stdout: new OutputTail(ERROR_TAIL_CHARACTERS),
    stderr: new OutputTail(ERROR_TAIL_CHARACTERS),
    combined: new OutputTail(),
  };
  const startedAt = Date.now();
  const abortSignal = AbortSignal.any([context.abortSignal, stopOnLogError.signal]);
  const listening = bus.has("stage:output");
  let outcome: ProcessOutcome | null = null;
  let interrupted = false;
  let unavailable: ExecutorUnavailableError | null = null;
  let stalledRuns = 0;
  let lastAttempt = firstAttempt + maxAttempts;

  recorder.openStage(item.index, item.fileStem, { onWriteError: failLog });
  try {
    for (let attempt = firstAttempt; attempt < lastAttempt; attempt += 1) {
      if (attempt > firstAttempt && outcome?.reason !== "stalled") {
        // Doubling must stay under the timer limit, or the wait would overflow to an instant retry.
        const backoffMs = Math.min(
          (stage.retryBackoffSeconds ?? 1) * 1000 * 2 ** (attempt - firstAttempt - 1),
          MAX_TIMER_SECONDS * 1000,
        );
        if (!(await sleep(backoffMs, context.abortSignal))) {
          interrupted = true;
          break;
        }
      }
      // Every process of this attempt carries the marker, so what it leaves running can be found
      // and stopped when it ends, or on a resume after the orchestrator itself was killed.
      const marker = createStageMarker(runId, item.index, attempt);
      collector?.reset();
      let started = false;
      const recordStart = (place: AttemptPlace) => {
        started = true;
        const pid = place.pid === null ? {} : { pid: place.pid };
        const worker = place.worker === null ? {} : { worker: place.worker, host: place.host ?? "" };
        recorder.record(
          { type: "command:start", command: stage.command, attempt, marker, ...pid, ...worker },
          item.index,
          "later",
        );
        bus.emit("stage:started", {
          runId,
          index: item.index,
          stageId: stage.id,
          title: stage.title,
          kind: stage.kind,
          attempt,
        });
      };
      const emit = (stream: "stdout" | "stderr", data: string) => {
        if (data === "" || logError !== null) return;
        try {
          recorder.output(item.index, { stream, data, attempt });
        } catch (error) {
          failLog(error);
          return;
        }
        tails[stream].push(data);
        tails.combined.push(data);
        collector?.push(stream, data);
        if (listening)
          bus.emit("stage:output", { runId, index: item.index, stageId: stage.id, stream, data });
      };
      const outputOf = (stream: "stdout" | "stderr") =>
        new StageOutput({ emit: (text) => emit(stream, text), redactor: redactor.stream() });
      const stdout = outputOf("stdout");
      const stderr = outputOf("stderr");
      // The one point where a stage leaves the coordinator: everything before (planning, the
      // records) and after (decoding, redaction, logs) stays here, whichever executor runs it.
      let result: AttemptResult;
      try {
        result = await context.executor.runAttempt({
          runId,
          taskId: session.manifest.task_id,
          pipelineId: session.manifest.pipeline_id,
          planHash: session.plan.planHash,
          stage,
          index: item.index,
          attempt,
          cwd: item.cwd,
          env,
          marker,
          killGraceMs: context.killGraceMs,
          timeoutMs: stage.timeoutSeconds === undefined ? undefined : stage.timeoutSeconds * 1000,
          unfinishedAttempt: attempt === firstAttempt ? unfinishedAttempt : null,
          cache: shared?.job ?? null,
          abortSignal,
          onStdout: (chunk) => stdout.push(chunk),
          onStderr: (chunk) => stderr.push(chunk),
          // Recorded once the command runs; a failure to record stops it (failLog aborts).
          onStart: (place) => {
            try {
              recordStart(place);
            } catch (error) {
              failLog(error);
            }
          },
        });
      } catch (error) {
        if (!(error instanceof ExecutorUnavailableError)) throw error;
        unavailable = error;
        result = {
          outcome: { exitCode: null, signal: null, reason: "spawn-error", error: error.message },
          leftoversStopped: 0,
        };
      }
      if (!started) recordStart({ pid: null, worker: null, host: null });
      outcome = result.outcome;
      if (shared !== null) shared.report = result.cache ?? null;
      stdout.end();
      stderr.end();
      if (outcome.error !== null) emit("stderr", redactor.redact(`codex-orchestrator: ${outcome.error}\n`));
      // Collected output is written now, so that a failure to write it fails this stage.
      try {
        recorder.events.flush();
      } catch (error) {
        failLog(error);
      }
      if (logError !== null) throw logError;
      const reason = outcome.reason === "cancelled" ? "signal" : outcome.reason;
      recorder.record(
        {
          type: "command:end",
          exit_code: outcome.exitCode,
          signal: outcome.signal,
          reason,
          attempt,
          leftovers_stopped: result.leftoversStopped,
        },
        item.index,
        "soon",
      );
      if (unavailable !== null) break;
      // A lost worker's attempt runs again as a fresh attempt, without using up a retry.
      if (outcome.reason === "stalled" && stalledRuns < MAX_STALLED_RUNS && !abortSignal.aborted) {
        stalledRuns += 1;
        lastAttempt += 1;
        continue;
      }
      if (outcome.reason === "exit" && outcome.exitCode === 0) break;
      if (outcome.reason === "cancelled") break;
    }
  } finally {
    try {
      recorder.closeStage(item.index);
    } catch (error) {
      failLog(error);
    }
  }
  if (logError !== null) throw logError;
  // Stopped while waiting to retry: the stage was cancelled, whatever the last attempt did.
  const final: ProcessOutcome =
    interrupted || outcome === null
      ? { exitCode: outcome?.exitCode ?? null, signal: null, reason: "cancelled", error: null }
      : outcome;
  const succeeded = final.reason === "exit" && final.exitCode === 0;
  const status = succeeded
    ? "succeeded"
    : stage.allowFailure && final.reason !== "cancelled"
      ? "skipped"
      : "failed";
  const lastLine = tails.combined.lines(1)[0]?.trim() ?? null;
  const ending = describeEnd(final, stage, context.abortSignal);
  bus.emit("stage:finished", {
    runId,
    index: item.index,
    stageId: stage.id,
    status,
    exitCode: final.exitCode,
    ending: succeeded ? null : ending,
    durationMs: Date.now() - startedAt,
    tail: tails.combined.lines(20),
  });
  if (succeeded)
    return {
      status: "succeeded",
      detail: null,
      summary: clipSummary(stage.summaryHint ?? lastLine ?? "succeeded"),
      errorFile: null,
    };
  const summary = clipSummary(`${ending}${lastLine === null ? "" : `: ${lastLine}`}`);
  const errorFile = writeErrorFile(context, stage, final, tails);
  if (unavailable !== null) return { status: "failed", detail: "executor:unavailable", summary, errorFile };
  if (final.reason === "cancelled")
    return { status: "cancelled", detail: `stage:${stage.id}:cancelled`, summary, errorFile };
  if (stage.allowFailure) return { status: "skipped", detail: null, summary, errorFile };
  const kind = final.reason === "timeout" ? "timeout" : final.reason === "spawn-error" ? "error" : "failed";
  return { status: "failed", detail: `stage:${stage.id}:${kind}`, summary, errorFile };
}

function sleep(milliseconds: number, abortSignal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (abortSignal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      abortSignal.removeEventListener("abort", onAbort);
      resolve(true);
    }, milliseconds);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    abortSignal.addEventListener("abort", onAbort, { once: true });
  });
}

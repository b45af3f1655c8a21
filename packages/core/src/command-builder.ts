import path from "node:path";
import { ensureDirectory, toRepoPath, writeJsonAtomic } from "@codex/orchestrator-persistence";
import type {
  Approval,
  CommandAttempt,
  CommandEntry,
  CommandStage,
  ManualStage,
  SubpipelineStage,
} from "@codex/orchestrator-schema";
import type { PlanItem } from "./command-planner.js";
import type { EventBus } from "./event-bus.js";
import { buildErrorFile } from "./error-file.js";
import { OutputTail } from "./output-tail.js";
import { nativeLauncherAvailable, type PumpedOutputOptions } from "./native-spawn.js";
import { runShellCommandBytes, runShellCommandPumped, type ProcessOutcome } from "./process-runner.js";
import { REDACTED, type Redactor } from "./redaction.js";
import type { RunSession } from "./run-session.js";
import { StageOutput } from "./stage-output.js";
import type { ApprovalPolicy, ApprovalPrompt } from "./approval-policy.js";

/** How a stage ended, and what that means for the run. */
export type StageOutcome =
  | { status: "succeeded" | "skipped"; detail: null }
  | { status: "failed"; detail: string }
  | { status: "paused"; detail: string }
  | { status: "cancelled"; detail: string };

/** What a nested run came to. */
export interface ChildRunOutcome {
  runId: string;
  status: "succeeded" | "failed" | "cancelled" | "awaiting_approval" | "queued" | "in_progress";
}

/** Everything a stage needs from the run executing it. */
export interface StageContext {
  session: RunSession;
  item: PlanItem;
  bus: EventBus;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  abortSignal: AbortSignal;
  killGraceMs: number;
  approvalPolicy: ApprovalPolicy;
  approvalPrompt: ApprovalPrompt | undefined;
  /** Runs (or resumes, when `existingRunId` is set) a nested pipeline. */
  runChild: (stage: SubpipelineStage, existingRunId: string | null) => Promise<ChildRunOutcome>;
}

// Error files keep this much of each stream: enough to diagnose, bounded for huge outputs.
const ERROR_TAIL_CHARACTERS = 4 * 1024;
const SUMMARY_MAX = 200;

/** Executes plan items by kind: shell commands, nested runs and approval gates. */
export class CommandBuilder {
  /** Runs one stage to an outcome; the entry in the manifest is updated as it goes. */
  async execute(context: StageContext): Promise<StageOutcome> {
    const stage = context.item.stage;
    switch (stage.kind) {
      case "command":
        return this.#runCommand(context, stage);
      case "subpipeline":
        return this.#runSubpipeline(context, stage);
      case "manual":
        return this.#runGate(context, stage);
    }
  }

  async #runCommand(context: StageContext, stage: CommandStage): Promise<StageOutcome> {
    const { session, item, bus } = context;
    const entry = session.entry(item.index);
    const runId = session.manifest.run_id;
    const redactor =
      stage.env === undefined
        ? context.redactor
        : context.redactor.extend(secretValues(stage.env, context.redactor));
    const env: NodeJS.ProcessEnv = { ...context.env, ...stage.env, ...runEnvironment(session) };
    const maxAttempts = (stage.retries ?? 0) + 1;
    const attempts: CommandAttempt[] = [...(entry.attempts ?? [])];
    const firstAttempt = attempts.length + 1;
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
    const stdoutTail = new OutputTail(ERROR_TAIL_CHARACTERS);
    const stderrTail = new OutputTail(ERROR_TAIL_CHARACTERS);
    const combinedTail = new OutputTail();
    // Each stream's decoded output goes to its own tail and to the combined one.
    const tails = { stdout: [stdoutTail, combinedTail], stderr: [stderrTail, combinedTail] };
    const startedAt = Date.now();
    let outcome: ProcessOutcome | null = null;
    const abortSignal = AbortSignal.any([context.abortSignal, stopOnLogError.signal]);

    for (let attempt = firstAttempt; attempt < firstAttempt + maxAttempts; attempt += 1) {
      if (attempt > firstAttempt) {
        const backoffMs = (stage.retryBackoffSeconds ?? 1) * 1000 * 2 ** (attempt - firstAttempt - 1);
        if (!(await sleep(backoffMs, context.abortSignal))) break;
      }
      const attemptRecord: CommandAttempt = {
        attempt,
        started_at: new Date().toISOString(),
        completed_at: null,
        exit_code: null,
        signal: null,
        reason: null,
      };
      attempts.push(attemptRecord);
      entry.attempts = attempts;
      // The stage's log and the attempt's start event come before any output. With the pump they
      // are written while the command starts up (creating a file costs ~0.15 ms here, as much as
      // starting the command); otherwise before it starts.
      let announced = false;
      const announce = () => {
        if (announced) return;
        announced = true;
        session.events.openStage(item.index, item.fileStem, { onWriteError: failLog });
        session.events.stage(item.index, { type: "command:start", command: stage.command, attempt });
        bus.emit("stage:started", {
          runId,
          index: item.index,
          stageId: stage.id,
          title: stage.title,
          kind: stage.kind,
          attempt,
        });
      };
      const listening = bus.has("stage:output");
      const emit = (stream: "stdout" | "stderr", data: string) => {
        if (data === "" || logError !== null) return;
        try {
          session.events.output(item.index, { stream, data, attempt });
        } catch (error) {
          failLog(error);
          return;
        }
        for (const tail of tails[stream]) tail.push(data);
        if (listening)
          bus.emit("stage:output", { runId, index: item.index, stageId: stage.id, stream, data });
      };
      const run = {
        command: stage.command,
        cwd: item.cwd,
        env,
        killGraceMs: context.killGraceMs,
        abortSignal,
        ...(stage.timeoutSeconds === undefined ? {} : { timeoutMs: stage.timeoutSeconds * 1000 }),
      };
      // Output nobody listens to is redacted and written by the compiled pump, straight from the
      // pipes to the logs; otherwise (or without the pump) it is decoded and redacted here.
      const pumped =
        listening || !nativeLauncherAvailable()
          ? null
          : runShellCommandPumped({
              ...run,
              output: () => {
                announce();
                return pumpedOutput(session, item.index, attempt, redactor, failLog, {
                  stdout: stdoutTail,
                  stderr: stderrTail,
                  combined: combinedTail,
                });
              },
            });
      if (pumped !== null) {
        const { tails: pumpedTails, ...ended } = await pumped;
        outcome = ended;
        stdoutTail.push(pumpedTails.stdout.toString("utf8"));
        stderrTail.push(pumpedTails.stderr.toString("utf8"));
        combinedTail.push(pumpedTails.combined.toString("utf8"));
      } else {
        announce();
        const outputOf = (stream: "stdout" | "stderr") =>
          new StageOutput({ emit: (text) => emit(stream, text), redactor: redactor.stream() });
        const stdout = outputOf("stdout");
        const stderr = outputOf("stderr");
        outcome = await runShellCommandBytes({
          ...run,
          onStdout: (chunk) => stdout.push(chunk),
          onStderr: (chunk) => stderr.push(chunk),
        });
        stdout.end();
        stderr.end();
      }
      // A command that could not start has its start event too, before the reason.
      announce();
      if (outcome.error !== null) emit("stderr", redactor.redact(`codex-orchestrator: ${outcome.error}\n`));
      // Collected output is written now, so that a failure to write it fails this stage.
      try {
        session.events.flush();
      } catch (error) {
        failLog(error);
      }
      if (logError !== null) {
        session.events.closeStage(item.index);
        throw logError;
      }
      const reason = outcome.reason === "cancelled" ? "signal" : outcome.reason;
      session.events.stage(item.index, {
        type: "command:end",
        exit_code: outcome.exitCode,
        signal: outcome.signal,
        reason,
        attempt,
      });
      attemptRecord.completed_at = new Date().toISOString();
      attemptRecord.exit_code = outcome.exitCode;
      attemptRecord.signal = outcome.signal;
      attemptRecord.reason = reason;
      if (outcome.reason === "exit" && outcome.exitCode === 0) break;
      if (outcome.reason === "cancelled") break;
      if (attempt < firstAttempt + maxAttempts - 1) session.tryPersist();
    }
    session.events.closeStage(item.index);

    const final = outcome as ProcessOutcome;
    entry.exit_code = final.exitCode;
    entry.signal = final.signal;
    entry.exit_reason = final.reason === "cancelled" ? "signal" : final.reason;
    entry.completed_at = new Date().toISOString();
    const lastLine = combinedTail.lines(1)[0]?.trim() ?? null;
    const succeeded = final.reason === "exit" && final.exitCode === 0;
    bus.emit("stage:finished", {
      runId,
      index: item.index,
      stageId: stage.id,
      status: succeeded
        ? "succeeded"
        : stage.allowFailure && final.reason !== "cancelled"
          ? "skipped"
          : "failed",
      exitCode: final.exitCode,
      durationMs: Date.now() - startedAt,
      tail: combinedTail.lines(20),
    });
    if (succeeded) {
      entry.summary = clip(stage.summaryHint ?? lastLine ?? "succeeded");
      return { status: "succeeded", detail: null };
    }
    const how = describeEnd(final, stage);
    entry.summary = clip(`${how}${lastLine === null ? "" : `: ${lastLine}`}`);
    entry.error_file = this.#writeErrorFile(
      context,
      stage,
      entry,
      final,
      attempts,
      stdoutTail,
      stderrTail,
      combinedTail,
    );
    if (final.reason === "cancelled") return { status: "cancelled", detail: `stage:${stage.id}:cancelled` };
    if (stage.allowFailure) return { status: "skipped", detail: null };
    const kind = final.reason === "timeout" ? "timeout" : final.reason === "spawn-error" ? "error" : "failed";
    return { status: "failed", detail: `stage:${stage.id}:${kind}` };
  }

  #writeErrorFile(
    context: StageContext,
    stage: CommandStage,
    entry: CommandEntry,
    outcome: ProcessOutcome,
    attempts: CommandAttempt[],
    stdoutTail: OutputTail,
    stderrTail: OutputTail,
    combinedTail: OutputTail,
  ): string | null {
    const { session, item } = context;
    const file = path.join(session.paths.errorsDir, `${item.fileStem}.json`);
    try {
      ensureDirectory(session.paths.errorsDir);
      writeJsonAtomic(
        file,
        buildErrorFile({
          runId: session.manifest.run_id,
          taskId: session.manifest.task_id,
          stage,
          index: item.index,
          cwd: toRepoPath(session.locations.root, item.cwd) || ".",
          entry,
          outcome,
          attempts,
          stdoutTail: { text: stdoutTail.text, truncated: stdoutTail.truncated },
          stderrTail: { text: stderrTail.text, truncated: stderrTail.truncated },
          tailLines: combinedTail.lines(20),
          tailLimitCharacters: ERROR_TAIL_CHARACTERS,
        }),
        { transform: session.transform },
      );
      return toRepoPath(session.locations.root, file);
    } catch (error) {
      context.bus.emit("warning", {
        runId: session.manifest.run_id,
        message: `Could not write the error file: ${String(error)}`,
      });
      return null;
    }
  }

  async #runSubpipeline(context: StageContext, stage: SubpipelineStage): Promise<StageOutcome> {
    const entry = context.session.entry(context.item.index);
    const child = await context.runChild(stage, entry.sub_run_id);
    entry.sub_run_id = child.runId;
    entry.completed_at = new Date().toISOString();
    entry.summary = `child run ${child.runId} ${child.status}`;
    if (child.status === "succeeded") return { status: "succeeded", detail: null };
    if (child.status === "awaiting_approval") {
      entry.completed_at = null;
      return { status: "paused", detail: `subpipeline:${stage.id}:awaiting_approval` };
    }
    if (child.status === "cancelled" && context.abortSignal.aborted) {
      return { status: "cancelled", detail: `stage:${stage.id}:cancelled` };
    }
    if (stage.optional) return { status: "skipped", detail: null };
    return { status: "failed", detail: `subpipeline:${stage.id}:failed` };
  }

  async #runGate(context: StageContext, stage: ManualStage): Promise<StageOutcome> {
    const { session, item, bus } = context;
    const entry = session.entry(item.index);
    const planHash = session.plan.planHash;
    let decision = latestDecision(session.manifest.approvals, stage.id);
    if (decision !== null && decision.plan_hash !== planHash) {
      bus.emit("warning", {
        runId: session.manifest.run_id,
        message: `Ignoring the ${decision.decision} decision for gate ${stage.id}: it was made for plan ${decision.plan_hash}, this run's plan is ${planHash}.`,
      });
      decision = null;
    }
    if (decision === null) {
      const policyDecision = await context.approvalPolicy.decide({
        runId: session.manifest.run_id,
        stageId: stage.id,
        title: stage.title,
        instructions: stage.instructions ?? null,
        planHash,
        prompt: context.approvalPrompt,
      });
      if (policyDecision !== null) {
        decision = {
          stage_id: stage.id,
          actor: policyDecision.actor,
          decision: policyDecision.decision,
          reason: policyDecision.reason,
          timestamp: new Date().toISOString(),
          plan_hash: planHash,
        };
        session.manifest.approvals.push(decision);
        session.events.runForStage(item.index, {
          type: "approval:recorded",
          stage_id: stage.id,
          decision: decision.decision,
          actor: decision.actor,
        });
      }
    }
    if (decision === null) {
      session.events.runForStage(item.index, {
        type: "approval:requested",
        stage_id: stage.id,
        plan_hash: planHash,
      });
      bus.emit("approval:requested", {
        runId: session.manifest.run_id,
        stageId: stage.id,
        planHash,
        instructions: stage.instructions ?? null,
      });
      entry.summary = "awaiting approval";
      return { status: "paused", detail: `approval:${stage.id}:pending` };
    }
    entry.completed_at = decision.timestamp;
    entry.summary = `${decision.decision} by ${decision.actor}${decision.reason ? `: ${decision.reason}` : ""}`;
    return decision.decision === "approved"
      ? { status: "succeeded", detail: null }
      : { status: "failed", detail: `approval:${stage.id}:rejected` };
  }
}

/** The last decision recorded for a gate, or null. */
export function latestDecision(approvals: readonly Approval[], stageId: string): Approval | null {
  const decisions = approvals.filter((approval) => approval.stage_id === stageId);
  return decisions[decisions.length - 1] ?? null;
}

/**
 * Where the pump writes one attempt's output: the stage's log and runner.ndjson, in the lines the
 * run's event writer lays out. Its tails keep at least as many characters as the stage's do.
 */
function pumpedOutput(
  session: RunSession,
  index: number,
  attempt: number,
  redactor: Redactor,
  failLog: (error: unknown) => void,
  tails: { stdout: OutputTail; stderr: OutputTail; combined: OutputTail },
): PumpedOutputOptions {
  const handOver = session.events.handOverOutput(index, attempt);
  return {
    files: handOver.descriptors,
    secrets: secretBytes(redactor),
    redacted: REDACTED_BYTES,
    stdoutHead: Buffer.from(handOver.stdoutHead, "utf8"),
    stderrHead: Buffer.from(handOver.stderrHead, "utf8"),
    middle: Buffer.from(handOver.middle, "utf8"),
    end: Buffer.from(handOver.end, "utf8"),
    batchBytes: handOver.batchBytes,
    maxDelayMs: handOver.maxDelayMs,
    stdoutTailBytes: tailBytes(tails.stdout),
    stderrTailBytes: tailBytes(tails.stderr),
    combinedTailBytes: tailBytes(tails.combined),
    onWriteError: (fileIndex, errno) => failLog(handOver.writeError(fileIndex, errno)),
  };
}

const REDACTED_BYTES = Buffer.from(REDACTED, "utf8");
const secretBytesOf = new WeakMap<Redactor, Buffer[]>();

// The pump's secrets: the redactor's, as UTF-8, longest first. Stages without env secrets of their
// own share the run's redactor, so this is worked out once per run rather than per stage.
function secretBytes(redactor: Redactor): Buffer[] {
  let secrets = secretBytesOf.get(redactor);
  if (secrets === undefined) {
    secrets = redactor.variants
      .map((variant) => Buffer.from(variant, "utf8"))
      .sort((left, right) => right.length - left.length);
    secretBytesOf.set(redactor, secrets);
  }
  return secrets;
}

// A UTF-16 unit takes at most 3 bytes of UTF-8; a tail may lose a character cut at its start.
function tailBytes(tail: OutputTail): number {
  return tail.limit * 3 + 3;
}

/** Variables every stage command sees: the task, the run, and where a nested `start` should write. */
export function runEnvironment(session: RunSession): Record<string, string> {
  return {
    MCP_RUNNER_TASK_ID: session.manifest.task_id,
    CODEX_ORCHESTRATOR_TASK_ID: session.manifest.task_id,
    CODEX_ORCHESTRATOR_RUN_ID: session.manifest.run_id,
    CODEX_ORCHESTRATOR_PARENT_RUN_ID: session.manifest.run_id,
    CODEX_ORCHESTRATOR_MANIFEST: session.paths.manifest,
    CODEX_ORCHESTRATOR_ROOT: session.locations.root,
    CODEX_ORCHESTRATOR_RUNS_DIR: session.locations.runsDir,
    CODEX_ORCHESTRATOR_OUT_DIR: session.locations.outDir,
  };
}

function secretValues(env: Record<string, string>, redactor: Redactor): string[] {
  // Stage env values whose names look secret join the run's secrets for this stage.
  return Object.entries(env)
    .filter(([name]) => redactor.isSecretName(name))
    .map(([, value]) => value);
}

function describeEnd(outcome: ProcessOutcome, stage: CommandStage): string {
  switch (outcome.reason) {
    case "timeout":
      return `timed out after ${stage.timeoutSeconds}s`;
    case "signal":
      return `killed by ${outcome.signal}`;
    case "cancelled":
      return `cancelled (${outcome.signal ?? "stopped"})`;
    case "spawn-error":
      return `could not start: ${outcome.error}`;
    case "exit":
      return `exit ${outcome.exitCode}`;
  }
}

function clip(text: string): string {
  return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
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

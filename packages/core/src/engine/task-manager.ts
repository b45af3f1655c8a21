import { findRunById, type OrchestratorLocations } from "@codex/orchestrator-persistence";
import type { SubpipelineStage } from "@codex/orchestrator-schema";
import type { ApprovalPolicy, ApprovalPrompt } from "../runs/approval-policy.js";
import { CommandBuilder } from "./stages/command-builder.js";
import { CommandPlanner, type PlanItem } from "../plan/command-planner.js";
import { CommandReviewer } from "./command-reviewer.js";
import { CommandTester } from "./command-tester.js";
import type { ChildRunOutcome, StageContext, StageOutcome } from "./stages/stage-context.js";
import { cancellationDetail, DEFAULT_CONCURRENCY, runLimits } from "./run-limits.js";
import { runStageGraph, SiblingFailure } from "./stage-scheduler.js";
import type { EventBus } from "../event-bus.js";
import { registerWithParent } from "../record/parent-registration.js";
import type { Redactor } from "../process/redaction.js";
import { prepareResume } from "../runs/resume.js";
import { RunSession } from "../record/run-session.js";
import { assertTaskRegistered, type Workspace } from "../config/workspace.js";
import { isOwnFileFailure, stageErrorOutcome } from "./stages/stage-error.js";
import { finishRun, type RunOutcome } from "./run-ending.js";
import { attestEnding } from "./run-attesting.js";
import type { RunEvidence } from "../evidence/run-evidence.js";
import { writeRunEndOutputs, type RunEndOutputs } from "./run-end-outputs.js";
import type { StageCacheAccess } from "./stages/stage-cache.js";
import { localExecutor, type StageExecutor } from "./stage-executor.js";

export type { RunOutcome } from "./run-ending.js";

/** Shared by every run a TaskManager executes (its nested runs included). */
export interface TaskManagerOptions {
  workspace: Workspace;
  locations: OrchestratorLocations;
  env: NodeJS.ProcessEnv;
  /** The top-level run's redactor; nested runs extend it with their own stages' secrets. */
  redactor: Redactor;
  bus: EventBus;
  killGraceMs: number;
  /** Runs the command stages of every run this manager executes (default: here). */
  executor?: StageExecutor | undefined;
  approvalPolicy: ApprovalPolicy;
  approvalPrompt: ApprovalPrompt | undefined;
  abortSignal: AbortSignal;
  /** Task slugs from `tasks/index.json`, for new runs. */
  taskSlug: (taskId: string) => string | null;
  /** Overrides every run's concurrency limit (`--concurrency`). */
  concurrency?: number | undefined;
  /** Overrides every run's failure mode (`--continue`). */
  continueOnFailure?: boolean | undefined;
  /** Provenance, hash chains and attestations (docs/evidence.md). */
  evidence: RunEvidence;
  /** The report and trace every run leaves when it ends. */
  runEndOutputs: RunEndOutputs;
  /** The stage cache and how runs use it (null or absent: stages always run). */
  cache?: StageCacheAccess | null;
}

/**
 * The orchestration core: the planner turns pipelines into a stage graph, the scheduler runs it,
 * the builder executes each stage, the tester and reviewer judge the result, and the session's
 * recorder keeps every change as an event.
 */
export class TaskManager {
  readonly planner: CommandPlanner;
  readonly builder = new CommandBuilder();
  readonly tester = new CommandTester();
  readonly reviewer = new CommandReviewer(this.tester);
  readonly #options: TaskManagerOptions;

  constructor(options: TaskManagerOptions) {
    this.#options = options;
    this.planner = new CommandPlanner(options.workspace);
  }

  /** Executes (or continues) a run until it finishes, pauses at a gate, or is cancelled. */
  async execute(
    session: RunSession,
    options: { resumed: boolean; abortSignal?: AbortSignal; depth?: number },
  ): Promise<RunOutcome> {
    const { bus } = this.#options;
    const abortSignal = options.abortSignal ?? this.#options.abortSignal;
    const recorder = session.recorder;
    const runId = session.manifest.run_id;
    const warn = (message: string) => bus.emit("warning", { runId, message });
    let ended: RunOutcome | null = null;
    recorder.onPersistError((error) =>
      warn(`Could not update the manifest: ${String((error as Error).message ?? error)}`),
    );
    try {
      const { task_id: taskId, pipeline_id: pipelineId } = session.manifest;
      recorder.record(
        {
          type: "run:start",
          run_id: runId,
          task_id: taskId,
          pipeline_id: pipelineId,
          resumed: options.resumed,
        },
        null,
        "now",
      );
      registerWithParent(session, this.#options);
      bus.emit("run:started", {
        runId,
        taskId,
        pipelineId,
        resumed: options.resumed,
        manifest: session.manifestPath,
        parentRunId: session.manifest.parent_run_id ?? null,
        depth: options.depth ?? 0,
      });
      session.startHeartbeat((error) =>
        warn(`Heartbeat failed: ${String((error as Error).message ?? error)}`),
      );
      const outcome = await this.#runGraph(session, abortSignal, options.depth ?? 0);
      ended = finishRun(session, outcome, {
        bus: this.#options.bus,
        locations: this.#options.locations,
        reviewer: this.reviewer,
      });
      // Written before the run is signed, so the attestation covers the report too.
      await writeRunEndOutputs(session, this.#options.runEndOutputs, warn);
    } catch (error) {
      // The engine itself failed (a log or manifest that cannot be written): keep what can be kept.
      recorder.tryPersist();
      throw error;
    } finally {
      // Signed once the logs are closed, before the run is given up (a resume signs again).
      session.close(() => {
        if (ended !== null) ended = attestEnding(session, ended, this.#options);
      });
    }
    return ended as RunOutcome;
  }

  async #runGraph(session: RunSession, abortSignal: AbortSignal, depth: number): Promise<RunOutcome> {
    const { plan, manifest, recorder } = session;
    const items = new Map(plan.items.map((item) => [item.index, item]));
    const result = await runStageGraph({
      graph: plan.graph,
      ids: new Map(plan.items.map((item) => [item.index, item.stage.id])),
      done: new Set(
        manifest.commands
          .filter((entry) => entry.status === "succeeded" || entry.status === "skipped")
          .map((entry) => entry.index),
      ),
      concurrency:
        this.#options.concurrency ?? manifest.concurrency ?? plan.pipeline.concurrency ?? DEFAULT_CONCURRENCY,
      continueOnFailure:
        this.#options.continueOnFailure ?? manifest.continue_on_failure ?? plan.pipeline.continueOnFailure,
      abortSignal,
      runStage: (index, stop) =>
        this.#runStage({ session, item: items.get(index) as PlanItem, stop, runAbort: abortSignal, depth }),
    });
    for (const [index, reason] of result.notRun) {
      const entry = session.entry(index);
      recorder.record(
        { type: "stage:status", stage_id: entry.id, status: "pending", status_detail: reason },
        index,
        "later",
      );
    }
    if (result.status === "cancelled")
      return { status: "cancelled", statusDetail: cancellationDetail(abortSignal) };
    return { status: result.status, statusDetail: result.detail };
  }

  async #runStage({
    session,
    item,
    stop,
    runAbort,
    depth,
  }: {
    session: RunSession;
    item: PlanItem;
    stop: AbortSignal;
    runAbort: AbortSignal;
    depth: number;
  }): Promise<StageOutcome> {
    const recorder = session.recorder;
    const stageId = item.stage.id;
    recorder.record({ type: "stage:status", stage_id: stageId, status: "running" }, item.index, "soon");
    const outcome = await this.#executeStage({
      session,
      item,
      bus: this.#options.bus,
      env: this.#options.env,
      redactor: recorder.redactor,
      abortSignal: stop,
      killGraceMs: this.#options.killGraceMs,
      executor: this.#options.executor ?? localExecutor,
      approvalPolicy: this.#options.approvalPolicy,
      approvalPrompt: this.#options.approvalPrompt,
      cache: this.#options.cache ?? null,
      runChild: (stage, existingRunId, childAbort) =>
        this.#runChild({ parent: session, stage, existingRunId, abortSignal: childAbort, depth: depth + 1 }),
    });
    // A stage another one's failure stopped says so; the run itself reports the first failure.
    const stoppedBy =
      outcome.status === "cancelled" && !runAbort.aborted && stop.reason instanceof SiblingFailure
        ? stop.reason.stageId
        : null;
    const status =
      outcome.status === "paused" ? "pending" : outcome.status === "cancelled" ? "failed" : outcome.status;
    recorder.record(
      {
        type: "stage:status",
        stage_id: stageId,
        status,
        summary: outcome.summary,
        error_file: outcome.errorFile,
        status_detail: stoppedBy === null ? null : `stopped: stage ${stoppedBy} failed`,
      },
      item.index,
      status === "succeeded" || status === "skipped" ? "soon" : "now",
    );
    return outcome;
  }

  /**
   * Runs one stage; an error it throws (a process that cannot be spawned, a subpipeline naming an
   * unregistered task, a child run another process claimed) fails that stage, so the run still
   * ends. Failures to write the run's own files propagate: nothing truthful can be recorded then.
   */
  async #executeStage(context: StageContext): Promise<StageOutcome> {
    const startedAt = Date.now();
    try {
      return await this.builder.execute(context);
    } catch (error) {
      if (isOwnFileFailure(error)) throw error;
      const outcome = stageErrorOutcome(error, context.redactor);
      context.bus.emit("stage:finished", {
        runId: context.session.manifest.run_id,
        index: context.item.index,
        stageId: context.item.stage.id,
        status: "failed",
        exitCode: null,
        ending: outcome.summary,
        durationMs: Date.now() - startedAt,
        tail: [outcome.summary ?? ""],
      });
      return outcome;
    }
  }

  async #runChild({
    parent,
    stage,
    existingRunId,
    abortSignal,
    depth,
  }: {
    parent: RunSession;
    stage: SubpipelineStage;
    existingRunId: string | null;
    abortSignal: AbortSignal;
    depth: number;
  }): Promise<ChildRunOutcome> {
    const options = this.#options;
    const taskId = stage.task ?? parent.manifest.task_id;
    assertTaskRegistered(
      options.workspace,
      taskId,
      `stage "${stage.id}" of pipeline ${parent.manifest.pipeline_id}`,
    );
    let child: RunSession;
    if (existingRunId !== null) {
      const found = findRunById(options.locations, existingRunId);
      if (found === null) throw new Error(`Child run ${existingRunId} of stage ${stage.id} has disappeared`);
      const prepared = await prepareResume({
        locations: options.locations,
        found,
        actor: `parent:${parent.manifest.run_id}`,
        reason: `resume of parent run ${parent.manifest.run_id}`,
        token: null,
        redactor: parent.recorder.redactor,
        allowSucceeded: true,
        replan: (childTask, pipelineId) => this.planner.plan(childTask, pipelineId),
        killGraceMs: options.killGraceMs,
        chained: options.evidence.signed,
      });
      if (prepared.alreadySucceeded) return { runId: existingRunId, status: "succeeded" };
      child = prepared.session;
    } else {
      const plan = this.planner.plan(taskId, stage.pipeline);
      child = RunSession.create({
        locations: options.locations,
        plan,
        taskSlug: options.taskSlug(taskId),
        parentRunId: parent.manifest.run_id,
        approvalPolicy: options.approvalPolicy.name,
        // A nested run redacts its parent's secrets and those of its own stages.
        redactor: parent.recorder.redactor.withStageSecrets(plan.items.map((item) => item.stage)),
        taskSource: `stage "${stage.id}"`,
        provenance: options.evidence.provenance,
        chained: options.evidence.signed,
        ...runLimits(plan, options),
      });
    }
    const index = parent.plan.items.find((item) => item.stage.id === stage.id)?.index ?? null;
    parent.recorder.record(
      { type: "stage:child", stage_id: stage.id, child_run_id: child.manifest.run_id },
      index,
      "now",
    );
    const outcome = await this.execute(child, { resumed: existingRunId !== null, abortSignal, depth });
    return { runId: child.manifest.run_id, status: outcome.status };
  }
}

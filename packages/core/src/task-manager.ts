import {
  appendTextSync,
  findRunById,
  PersistenceCoordinator,
  readRunOwner,
  resolveRunPaths,
  toRepoPath,
  writeChildRegistration,
  type OrchestratorLocations,
} from "@codex/orchestrator-persistence";
import { TERMINAL_RUN_STATUSES, type RunStatus, type SubpipelineStage } from "@codex/orchestrator-schema";
import { buildRunSummary, MetricsRecorder } from "@codex/orchestrator-telemetry";
import type { ApprovalPolicy, ApprovalPrompt } from "./approval-policy.js";
import { CommandBuilder, type ChildRunOutcome, type StageOutcome } from "./command-builder.js";
import { CommandPlanner } from "./command-planner.js";
import { CommandReviewer } from "./command-reviewer.js";
import { CommandTester } from "./command-tester.js";
import type { EventBus } from "./event-bus.js";
import { refreshUnownedManifest } from "./manifest-journal.js";
import type { Redactor } from "./redaction.js";
import { RunSession } from "./run-session.js";
import { assertTaskRegistered, type Workspace } from "./workspace.js";
import { prepareResume } from "./resume.js";

/** What a run came to. */
export interface RunOutcome {
  status: RunStatus;
  statusDetail: string | null;
}

/** Shared by every run a TaskManager executes (its nested runs included). */
export interface TaskManagerOptions {
  workspace: Workspace;
  locations: OrchestratorLocations;
  env: NodeJS.ProcessEnv;
  /** The redactor behind the transform of the sessions given to {@link TaskManager.execute}. */
  redactor: Redactor;
  bus: EventBus;
  killGraceMs: number;
  approvalPolicy: ApprovalPolicy;
  approvalPrompt: ApprovalPrompt | undefined;
  abortSignal: AbortSignal;
  /** Task slugs from `tasks/index.json`, for new runs. */
  taskSlug: (taskId: string) => string | null;
}

/**
 * The orchestration core: the planner turns pipelines into plan items, the builder executes them,
 * the tester and reviewer judge the result, and persistence records it — all announced on one bus.
 */
export class TaskManager {
  readonly planner: CommandPlanner;
  readonly builder = new CommandBuilder();
  readonly tester = new CommandTester();
  readonly reviewer = new CommandReviewer(this.tester);
  readonly #options: TaskManagerOptions;
  // What each nested run redacts: its parent's secrets and those of its own stages. A stage's
  // output is redacted with it before it is written (and written as is when it has nothing).
  readonly #childRedactors = new WeakMap<RunSession, Redactor>();

  constructor(options: TaskManagerOptions) {
    this.#options = options;
    this.planner = new CommandPlanner(options.workspace);
  }

  /** Executes (or continues) a run until it finishes, pauses at a gate, or is cancelled. */
  async execute(session: RunSession, options: { resumed: boolean }): Promise<RunOutcome> {
    const { bus } = this.#options;
    const manifest = session.manifest;
    const runId = manifest.run_id;
    const warn = (message: string) => bus.emit("warning", { runId, message });
    session.onPersistError((error) =>
      warn(`Could not update the manifest: ${String((error as Error).message ?? error)}`),
    );
    try {
      manifest.status = "in_progress";
      manifest.status_detail = null;
      manifest.completed_at = null;
      session.events.run({
        type: "run:start",
        run_id: runId,
        task_id: manifest.task_id,
        pipeline_id: manifest.pipeline_id,
        resumed: options.resumed,
      });
      session.persist();
      this.#registerWithParent(session, { started: !options.resumed });
      bus.emit("run:started", {
        runId,
        taskId: manifest.task_id,
        pipelineId: manifest.pipeline_id,
        resumed: options.resumed,
        manifest: session.manifestPath,
      });
      session.startHeartbeat((error) =>
        warn(`Heartbeat failed: ${String((error as Error).message ?? error)}`),
      );

      const outcome = await this.#runStages(session);
      return this.#finish(session, outcome);
    } finally {
      session.close();
    }
  }

  async #runStages(session: RunSession): Promise<RunOutcome> {
    const { abortSignal } = this.#options;
    // A stage that ends well is written into the manifest together with the next stage's start (one
    // whole-manifest write per stage instead of two); both happen in the same tick, so no reader and
    // no crash can see a difference. Any other ending, and the last stage, is written at once.
    let unwritten = false;
    for (const item of session.plan.items) {
      const entry = session.entry(item.index);
      if (entry.status === "succeeded" || entry.status === "skipped") continue;
      if (abortSignal.aborted) {
        if (unwritten) session.persist();
        return { status: "cancelled", statusDetail: `signal:${String(abortSignal.reason ?? "SIGTERM")}` };
      }
      unwritten = false;
      entry.status = "running";
      entry.started_at = new Date().toISOString();
      entry.completed_at = null;
      entry.exit_code = null;
      entry.error_file = null;
      session.events.runForStage(item.index, {
        type: "stage:status",
        stage_id: item.stage.id,
        status: "running",
      });
      session.persistSoon();
      const outcome: StageOutcome = await this.builder.execute({
        session,
        item,
        bus: this.#options.bus,
        env: this.#options.env,
        redactor: this.#redactorOf(session),
        abortSignal,
        killGraceMs: this.#options.killGraceMs,
        approvalPolicy: this.#options.approvalPolicy,
        approvalPrompt: this.#options.approvalPrompt,
        runChild: (stage, existingRunId) => this.#runChild(session, stage, existingRunId),
      });
      entry.status =
        outcome.status === "paused" ? "pending" : outcome.status === "cancelled" ? "failed" : outcome.status;
      session.events.runForStage(item.index, {
        type: "stage:status",
        stage_id: item.stage.id,
        status: entry.status,
      });
      if (entry.status === "succeeded" || entry.status === "skipped") {
        unwritten = true;
        continue;
      }
      session.persist();
      if (outcome.status === "failed") return { status: "failed", statusDetail: outcome.detail };
      if (outcome.status === "paused") return { status: "awaiting_approval", statusDetail: outcome.detail };
      if (outcome.status === "cancelled") {
        return { status: "cancelled", statusDetail: `signal:${String(abortSignal.reason ?? "SIGTERM")}` };
      }
    }
    if (unwritten) session.persist();
    return { status: "succeeded", statusDetail: null };
  }

  #finish(session: RunSession, outcome: RunOutcome): RunOutcome {
    const { bus } = this.#options;
    const manifest = session.manifest;
    const runId = manifest.run_id;
    const terminal = TERMINAL_RUN_STATUSES.includes(outcome.status);
    // The final beat persists the manifest: it must still say in_progress, or a crash right after it
    // would leave a run that looks finished without its metrics line, run summary or state entry.
    session.stopHeartbeat();
    manifest.status = outcome.status;
    manifest.status_detail = outcome.statusDetail;
    manifest.completed_at = terminal ? new Date().toISOString() : null;
    session.events.run({ type: "run:end", status: outcome.status, status_detail: outcome.statusDetail });
    manifest.summary = this.reviewer.review(manifest).summary;
    if (terminal) {
      try {
        new MetricsRecorder({ metricsPath: session.paths.metrics, transform: session.transform }).record(
          manifest,
        );
        manifest.metrics_recorded = true;
      } catch (error) {
        bus.emit("warning", { runId, message: `Could not record metrics: ${(error as Error).message}` });
      }
    }
    const coordinator = new PersistenceCoordinator({
      runSummaryPath: session.paths.runSummary,
      statePath: session.paths.state,
      taskId: manifest.task_id,
      transform: session.transform,
      onError: (error, artifact) =>
        bus.emit("warning", {
          runId,
          message: `Could not write the ${artifact}: ${(error as Error).message}`,
        }),
    });
    const detach = coordinator.attach(bus);
    manifest.run_summary_path = toRepoPath(session.locations.root, session.paths.runSummary);
    bus.emit("run:completed", buildRunSummary(manifest));
    detach();
    session.persist();
    this.#registerWithParent(session);
    bus.emit("run:finished", {
      runId,
      status: outcome.status,
      statusDetail: outcome.statusDetail,
      manifest: session.manifestPath,
    });
    return outcome;
  }

  // A child tells its parent about itself through the parent's children/ folder (see child-registry).
  // On the first registration of a run (not a resume) the parent's log also gets a `child:start` event.
  #registerWithParent(session: RunSession, options: { started?: boolean } = {}): void {
    const manifest = session.manifest;
    if (manifest.parent_run_id === null) return;
    try {
      const parent = findRunById(this.#options.locations, manifest.parent_run_id);
      if (parent === null) {
        this.#options.bus.emit("warning", {
          runId: manifest.run_id,
          message: `Parent run ${manifest.parent_run_id} not found; lineage is recorded only in this run.`,
        });
        return;
      }
      const parentPaths = resolveRunPaths(this.#options.locations, {
        taskId: parent.taskId,
        runId: parent.runId,
      });
      writeChildRegistration(parentPaths.childrenDir, {
        run_id: manifest.run_id,
        task_id: manifest.task_id,
        pipeline_id: manifest.pipeline_id,
        status: manifest.status,
        manifest: session.manifestPath,
      });
      if (options.started === true) {
        const line = {
          type: "child:start",
          child_run_id: manifest.run_id,
          child_task_id: manifest.task_id,
          pipeline_id: manifest.pipeline_id,
          timestamp: new Date().toISOString(),
          index: null,
        };
        appendTextSync(parentPaths.runnerLog, session.transform(`${JSON.stringify(line)}\n`));
      }
      if (readRunOwner(parentPaths.ownerLock)?.alive !== true)
        refreshUnownedManifest(parentPaths, session.transform);
    } catch (error) {
      this.#options.bus.emit("warning", {
        runId: manifest.run_id,
        message: `Could not update the parent run: ${(error as Error).message}`,
      });
    }
  }

  // The redactor behind the session's transform: the top-level run's is the one this manager got.
  #redactorOf(session: RunSession): Redactor {
    return this.#childRedactors.get(session) ?? this.#options.redactor;
  }

  async #runChild(
    parent: RunSession,
    stage: SubpipelineStage,
    existingRunId: string | null,
  ): Promise<ChildRunOutcome> {
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
      const prepared = prepareResume({
        locations: options.locations,
        found,
        actor: `parent:${parent.manifest.run_id}`,
        reason: `resume of parent run ${parent.manifest.run_id}`,
        token: null,
        transform: parent.transform,
        allowSucceeded: true,
        replan: (childTask, pipelineId) => this.planner.plan(childTask, pipelineId),
      });
      if (prepared.alreadySucceeded) return { runId: existingRunId, status: "succeeded" };
      child = prepared.session;
      this.#childRedactors.set(child, this.#redactorOf(parent));
      const outcome = await this.execute(child, { resumed: true });
      return { runId: child.manifest.run_id, status: outcome.status };
    }
    const plan = this.planner.plan(taskId, stage.pipeline);
    const childRedactor = this.#redactorOf(parent).withStageSecrets(plan.items.map((item) => item.stage));
    child = RunSession.create({
      locations: options.locations,
      plan,
      taskSlug: options.taskSlug(taskId),
      parentRunId: parent.manifest.run_id,
      approvalPolicy: options.approvalPolicy.name,
      transform: (text) => childRedactor.redact(text),
      taskSource: `stage "${stage.id}"`,
    });
    this.#childRedactors.set(child, childRedactor);
    const entry = parent.manifest.commands.find((candidate) => candidate.id === stage.id);
    if (entry !== undefined) entry.sub_run_id = child.manifest.run_id;
    parent.tryPersist();
    const outcome = await this.execute(child, { resumed: false });
    return { runId: child.manifest.run_id, status: outcome.status };
  }
}

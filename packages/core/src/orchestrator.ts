import {
  findRunById,
  resolveLocations,
  validateId,
  type FoundRun,
  type OrchestratorLocations,
} from "@codex/orchestrator-persistence";
import { chooseRoot } from "./config/repository-root.js";
import {
  DEFAULT_RESUME_ACTOR,
  DEFAULT_RESUME_REASON,
  type PlanOutput,
  type RunListEntry,
  type StatusOutput,
} from "@codex/orchestrator-schema";
import { createApprovalPolicy, oneAtATime } from "./runs/approval-policy.js";
import { recordApproval, type RecordedApproval } from "./runs/approvals.js";
import { CommandPlanner, describePlan, type ExecutionPlan } from "./plan/command-planner.js";
import { ApprovalError, RunNotFoundError } from "./errors.js";
import { resolveActor } from "./runs/actor.js";
import { OPTION } from "./option-names.js";
import { EventBus, type OrchestratorEventName, type OrchestratorEvents } from "./event-bus.js";
import { EXIT_CODES, exitCodeForRun } from "./runs/exit-codes.js";
import type { Redactor } from "./process/redaction.js";
import { workspaceRedactor } from "./config/workspace-redactor.js";
import { redactPlanOutput } from "./plan/printed-plan.js";
import { prepareResume } from "./runs/resume.js";
import { findLatestRun, listRuns, type RunFilter } from "./runs/run-index.js";
import { RunSession } from "./record/run-session.js";
import { buildRunStatus } from "./runs/run-status.js";
import { runLimits } from "./engine/run-limits.js";
import { TaskManager, type RunOutcome } from "./engine/task-manager.js";
import { resolveRunEndOutputs } from "./engine/run-end-outputs.js";
import { planInWorkspace } from "./plan-pipeline.js";
import { loadWorkspace, type Workspace } from "./config/workspace.js";
import { graceWithinParent } from "./process/nested-grace.js";
import { prepareRunEvidence, type RunEvidence } from "./evidence/run-evidence.js";
import { readGitProvenance } from "./evidence/git-provenance.js";
import { LocalCacheStore } from "./cache/local-cache-store.js";
import { cacheMaxSize } from "./cache/cache-size.js";

import type {
  ApproveOptions,
  CodexOrchestratorOptions,
  ExecuteOptions,
  ResumeOptions,
  RunResult,
  StartOptions,
} from "./orchestrator-options.js";

export type {
  ApproveOptions,
  CodexOrchestratorOptions,
  ExecuteOptions,
  ResumeOptions,
  RunResult,
  StartOptions,
} from "./orchestrator-options.js";

/**
 * The programmatic API of codex-orchestrator: plan, start, resume, approve, status and list runs
 * in a repository, and subscribe to run events.
 *
 * ```ts
 * const orchestrator = new CodexOrchestrator({ root: "/path/to/repo" });
 * orchestrator.on("stage:finished", (event) => console.log(event.stageId, event.status));
 * const result = await orchestrator.start("diagnostics", { taskId: "0101" });
 * ```
 */
export class CodexOrchestrator {
  readonly locations: OrchestratorLocations;
  readonly bus = new EventBus();
  readonly #env: NodeJS.ProcessEnv;
  readonly #cwd: string;
  readonly #killGraceMs: number;
  #workspace: Workspace | null = null;
  #cacheStore: LocalCacheStore | null = null;

  constructor(options: CodexOrchestratorOptions = {}) {
    this.#env = options.env ?? process.env;
    this.#cwd = options.cwd ?? process.cwd();
    const root = chooseRoot({ root: options.root, env: this.#env, cwd: this.#cwd });
    this.locations = resolveLocations({
      env: this.#env,
      cwd: this.#cwd,
      ...(root === undefined ? {} : { root }),
    });
    const graceFromEnv = Number(this.#env.CODEX_ORCHESTRATOR_KILL_GRACE_MS);
    // Inside a parent's stage, our stages must be stopped before the parent's grace runs out.
    this.#killGraceMs = graceWithinParent(
      options.killGraceMs ?? (Number.isFinite(graceFromEnv) && graceFromEnv > 0 ? graceFromEnv : 5_000),
      this.#env,
    );
  }

  /** Subscribes to run events; returns the unsubscribe function. */
  on<N extends OrchestratorEventName>(
    name: N,
    listener: (payload: OrchestratorEvents[N]) => void,
  ): () => void {
    return this.bus.on(name, listener);
  }

  /** The repository's configs, projects and tasks (read once). */
  get workspace(): Workspace {
    this.#workspace ??= loadWorkspace(this.locations.root);
    return this.#workspace;
  }

  /** Plans a pipeline without running anything. */
  async plan(
    pipelineId?: string,
    options: { taskId?: string } = {},
  ): Promise<{ plan: ExecutionPlan; output: PlanOutput }> {
    const plan = this.#plan(pipelineId, options.taskId);
    const redactor = this.#redactor().withStageSecrets(plan.items.map((item) => item.stage));
    return { plan, output: redactPlanOutput(describePlan(this.locations.root, plan), redactor) };
  }

  /** Runs a pipeline to its end (or a gate, or cancellation). */
  async start(pipelineId?: string, options: StartOptions = {}): Promise<RunResult> {
    // git is asked about the tree while the plan is made.
    const git = readGitProvenance(this.locations.root, this.#env);
    const policy = createApprovalPolicy(options.approvalPolicy ?? "prompt");
    const plan = this.#plan(pipelineId, options.taskId);
    const parentRunId = this.#parentRunId(options.parentRunId);
    const redactor = this.#redactor().withStageSecrets(plan.items.map((item) => item.stage));
    const evidence = await prepareRunEvidence({
      locations: this.locations,
      workspace: this.workspace,
      taskId: plan.taskId,
      env: this.#env,
      actor: options.actor,
      git,
    });
    const session = RunSession.create({
      locations: this.locations,
      plan,
      taskSlug: this.workspace.tasks.get(plan.taskId)?.slug ?? null,
      parentRunId,
      approvalPolicy: policy.name,
      redactor,
      provenance: evidence.provenance,
      chained: evidence.signed,
      ...runLimits(plan, options),
    });
    const outcome = await this.#taskManager(redactor, options, policy, evidence).execute(session, {
      resumed: false,
    });
    await this.#pruneCache(options);
    return this.#result(session, outcome);
  }

  /** Continues a failed, cancelled, crashed or paused run in place (docs/contract.md §5). */
  async resume(runId: string, options: ResumeOptions = {}): Promise<RunResult> {
    const found = this.#findRun(runId);
    const workspace = this.workspace;
    const redactor = this.#redactor();
    // The key is read before the resume is recorded: a bad one changes nothing.
    const evidence = await prepareRunEvidence({
      locations: this.locations,
      workspace,
      taskId: found.taskId,
      env: this.#env,
      actor: options.actor,
    });
    const prepared = await prepareResume({
      locations: this.locations,
      found,
      // The original CLI's default ("cli"), which its readers expect: a resume is not a decision.
      actor: options.actor ?? DEFAULT_RESUME_ACTOR,
      reason: options.reason ?? DEFAULT_RESUME_REASON,
      token: options.token ?? null,
      force: options.force === true,
      redactor,
      replan: (taskId, pipelineId) => new CommandPlanner(workspace).plan(taskId, pipelineId),
      killGraceMs: this.#killGraceMs,
      chained: evidence.signed,
    });
    if (prepared.alreadySucceeded) throw new Error("unreachable: a succeeded run is refused");
    const session = prepared.session;
    const policy = createApprovalPolicy(
      options.approvalPolicy ?? session.manifest.approval_policy ?? "prompt",
    );
    const outcome = await this.#taskManager(session.recorder.redactor, options, policy, evidence).execute(
      session,
      { resumed: true },
    );
    await this.#pruneCache(options);
    return this.#result(session, outcome);
  }

  /**
   * Records a decision for a waiting gate; `resume` then continues past it. Without `stageId`, the
   * one gate that is waiting; without `actor`, the user name ({@link resolveActor}).
   */
  async approve(runId: string, options: ApproveOptions = {}): Promise<RecordedApproval> {
    const found = this.#findRun(runId);
    const stageId = options.stageId ?? this.#waitingGate(runId, found);
    return recordApproval({
      locations: this.locations,
      found,
      stageId,
      actor: resolveActor(options.actor, this.#env),
      reason: options.reason ?? null,
      decision: options.reject ? "rejected" : "approved",
      planHash: options.planHash ?? null,
      redactor: this.#redactor(),
      ...(options.issuedAt === undefined ? {} : { issuedAt: options.issuedAt }),
    });
  }

  /** Where a run stands. */
  async status(runId: string): Promise<StatusOutput> {
    return buildRunStatus(this.locations, this.#findRun(runId));
  }

  /** The newest top-level run (any run with `includeChildren`), of one task or of all; null when there are none. */
  async latestRun(taskId?: string, options: { includeChildren?: boolean } = {}): Promise<FoundRun | null> {
    if (taskId !== undefined) validateId(taskId, { kind: "task id", source: OPTION.taskId });
    return findLatestRun(this.locations, taskId, options);
  }

  /** Runs across tasks, newest first. */
  async listRuns(filter: RunFilter = {}): Promise<RunListEntry[]> {
    if (filter.taskId !== undefined) validateId(filter.taskId, { kind: "task id", source: OPTION.taskId });
    return listRuns(this.locations, filter);
  }

  /** Finds a run by id alone, whatever its task; `source` names where the id came from in errors. */
  async findRun(runId: string, source: string = OPTION.runId): Promise<FoundRun> {
    return this.#findRun(runId, source);
  }

  #findRun(runId: string, source: string = OPTION.runId): FoundRun {
    validateId(runId, { kind: "run id", source });
    const found = findRunById(this.locations, runId);
    if (found === null) throw new RunNotFoundError(runId, this.locations.runsDir);
    return found;
  }

  #plan(pipelineId: string | undefined, taskFlag: string | undefined): ExecutionPlan {
    return planInWorkspace(this.workspace, { pipelineId, taskFlag, env: this.#env, cwd: this.#cwd });
  }

  // The gate an approval without a stage is for: the only one waiting.
  #waitingGate(runId: string, found: FoundRun): string {
    const pending = buildRunStatus(this.locations, found).pending_approvals ?? [];
    if (pending.length === 1) return pending[0] as string;
    throw new ApprovalError(
      pending.length === 0
        ? `Run ${runId} has no gate waiting; name the gate with the \`stageId\` option`
        : `Run ${runId} has ${pending.length} gates waiting (${pending.join(", ")}); name one with the \`stageId\` option`,
    );
  }

  #parentRunId(flag: string | undefined): string | null {
    if (flag !== undefined) {
      this.#findRun(flag, OPTION.parentRunId);
      return flag;
    }
    const inherited = this.#env.CODEX_ORCHESTRATOR_PARENT_RUN_ID;
    if (inherited === undefined || inherited === "") return null;
    validateId(inherited, { kind: "run id", source: "CODEX_ORCHESTRATOR_PARENT_RUN_ID" });
    return inherited;
  }

  /** The local stage cache under the runs directory. */
  get cacheStore(): LocalCacheStore {
    this.#cacheStore ??= new LocalCacheStore(this.locations.runsDir);
    return this.#cacheStore;
  }

  /** The cache's size limit: the root config's `cache.maxSize`, else the default. */
  get cacheMaxSize(): number {
    return cacheMaxSize(this.workspace.config?.config.cache);
  }

  // Keeps the cache within its size after a run that may have stored entries; a prune already
  // under way in another process is left to finish alone, and a failure is only a warning.
  async #pruneCache(options: ExecuteOptions): Promise<void> {
    // Only a run that stored something can have grown the cache.
    if (options.cache === "off" || this.cacheStore.storedCount === 0) return;
    try {
      await this.cacheStore.prune({ maxSize: this.cacheMaxSize });
    } catch (error) {
      this.bus.emit("warning", {
        runId: null,
        message: `Could not prune the stage cache: ${String((error as Error).message ?? error)}`,
      });
    }
  }

  #redactor(): Redactor {
    return workspaceRedactor(this.workspace, this.#env);
  }

  #taskManager(
    redactor: Redactor,
    options: ExecuteOptions,
    policy: ReturnType<typeof createApprovalPolicy>,
    evidence: RunEvidence,
  ): TaskManager {
    const workspace = this.workspace;
    return new TaskManager({
      workspace,
      locations: this.locations,
      env: this.#env,
      redactor,
      bus: this.bus,
      killGraceMs: this.#killGraceMs,
      approvalPolicy: policy,
      approvalPrompt: options.approvalPrompt === undefined ? undefined : oneAtATime(options.approvalPrompt),
      abortSignal: options.abortSignal ?? new AbortController().signal,
      taskSlug: (taskId) => workspace.tasks.get(taskId)?.slug ?? null,
      concurrency: options.concurrency,
      continueOnFailure: options.continueOnFailure,
      evidence,
      runEndOutputs: resolveRunEndOutputs({
        report: options.report,
        otel: options.otel,
        config: workspace.config?.config,
        env: this.#env,
      }),
      // An executor whose workers share a store is looked up there (docs/distributed.md).
      cache: { store: options.executor?.sharedCache ?? this.cacheStore, mode: options.cache ?? "use" },
      executor: options.executor,
    });
  }

  #result(session: RunSession, outcome: RunOutcome): RunResult {
    const manifest = session.manifest;
    const { status, statusDetail } = outcome;
    const exitCode = exitCodeForRun(status, statusDetail);
    return {
      runId: manifest.run_id,
      taskId: manifest.task_id,
      pipelineId: manifest.pipeline_id,
      status,
      statusDetail,
      artifactRoot: manifest.artifact_root,
      manifest: session.manifestPath,
      logPath: manifest.log_path,
      // A file of the run's end that could not be written fails the process, not the run.
      exitCode:
        outcome.writeFailures?.length && exitCode === EXIT_CODES.succeeded ? EXIT_CODES.failed : exitCode,
    };
  }
}

import { randomBytes } from "node:crypto";
import os from "node:os";
import {
  CommandPlanner,
  createStageMarker,
  loadWorkspace,
  parentGraceEnvironment,
  runShellCommand,
  STAGE_MARKER_VARIABLE,
  stopLeftovers,
  workspaceRedactor,
  type ExecutionPlan,
  type PlanItem,
  type Redactor,
  type Workspace,
} from "@codex/orchestrator-core";
import type { OrchestratorLocations } from "@codex/orchestrator-persistence";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { OutputSender } from "./output-sender.js";
import { WorkerOutputStream } from "./worker-redaction.js";
import { ProcessWatchdog } from "./process-watchdog.js";
import { RedisCacheStore } from "./redis-cache-store.js";
import { WorkerStageCache, type PreparedStore } from "./worker-stage-cache.js";
import { checkRedis, openConnection, type RedisTarget } from "./redis-connection.js";
import { HANDED_BACK_REASON, queueKeys, StageJobData, WORKER_TIMING, type AttemptEnd } from "./stage-job.js";

/** Options for {@link StageWorker.start}. */
export interface StageWorkerOptions {
  locations: OrchestratorLocations;
  redis: RedisTarget;
  queue: string;
  concurrency: number;
  /** The worker's environment: stage commands see it, as a local run's see the coordinator's. */
  env: NodeJS.ProcessEnv;
  /** Between SIGTERM and SIGKILL when the watchdog stops the stages of a worker that died. */
  killGraceMs: number;
  /** The root config's `cache.maxSize`: the shared cache is pruned to it after each store. */
  cacheMaxSize: number;
  /** One line per thing the worker does (stderr in the CLI). */
  log: (line: string) => void;
}

/**
 * `codex-orchestrator worker`: takes stage jobs from the queue and runs them in this checkout. A
 * job names a run, a stage and the plan hash; the stage is planned from this checkout's config and
 * the job refused when the plans differ, so nobody who can write to Redis can run a command here.
 * Output streams home in batches and the worker's own result ends the stream and the job.
 */
export class StageWorker {
  readonly id: string;
  readonly host = os.hostname();
  readonly #options: StageWorkerOptions;
  readonly #planner: CommandPlanner;
  readonly #plans = new Map<string, ExecutionPlan>();
  readonly #watchdog: ProcessWatchdog;
  readonly #connection: Redis;
  readonly #subscriber: Redis;
  readonly #worker: Worker;
  readonly #cache: WorkerStageCache;
  // Jobs whose lock was lost while their stage ran: their end is not ours to report.
  readonly #lost = new Set<string>();
  // Jobs running now, and those a stopping worker hands back (their stages run again elsewhere).
  readonly #running = new Set<string>();
  readonly #redactor: Redactor;
  readonly #handedBack = new Set<string>();
  #closing: Promise<void> | null = null;

  private constructor(options: StageWorkerOptions, workspace: Workspace) {
    const planner = new CommandPlanner(workspace);
    this.#options = options;
    // Secrets of this worker's environment, by the repository's rules: redacted before output leaves.
    this.#redactor = workspaceRedactor(workspace, options.env);
    this.#planner = planner;
    this.id = `${this.host}-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.#watchdog = new ProcessWatchdog({ killGraceMs: options.killGraceMs });
    this.#connection = openConnection(options.redis, `codex-worker-${this.id}`);
    this.#subscriber = openConnection(options.redis, `codex-worker-${this.id}-cancel`);
    this.#cache = new WorkerStageCache({
      store: new RedisCacheStore(this.#connection, {
        display: options.redis.display,
        maxSize: options.cacheMaxSize,
      }),
      locations: options.locations,
      env: options.env,
      workspace,
    });
    const keys = queueKeys(options.queue);
    void this.#subscriber.subscribe(keys.cancelChannel);
    this.#subscriber.on("message", (_channel, jobId: string) => {
      this.#worker.cancelJob(jobId, "cancelled by the coordinator");
    });
    this.#worker = new Worker(options.queue, (job, _token, signal) => this.#process(job, signal), {
      connection: this.#connection,
      name: this.id,
      concurrency: options.concurrency,
      lockDuration: WORKER_TIMING.lockDurationMs,
      stalledInterval: WORKER_TIMING.stalledIntervalMs,
      maxStalledCount: WORKER_TIMING.maxStalledCount,
      autorun: false,
    });
    this.#worker.on("error", (error) => options.log(`worker ${this.id}: ${error.message}`));
    // A job whose lock could not be renewed is no longer ours (it stalled, or Redis lost it): the
    // coordinator runs it again, so its stage is stopped here rather than run twice.
    this.#worker.on("lockRenewalFailed", (jobIds: string[]) => {
      for (const jobId of jobIds) {
        options.log(`worker ${this.id}: lost the lock on job ${jobId}, stopping its stage`);
        this.#lost.add(jobId);
        this.#worker.cancelJob(jobId, "lost its lock");
      }
    });
  }

  /** Checks Redis and this checkout's config (either wrong: a usage error), then starts taking jobs. */
  static async start(options: StageWorkerOptions): Promise<StageWorker> {
    const workspace = loadWorkspace(options.locations.root);
    await checkRedis(options.redis);
    const worker = new StageWorker(options, workspace);
    void worker.#worker.run();
    await worker.#worker.waitUntilReady();
    options.log(
      `worker ${worker.id}: taking stages from queue ${options.queue} (concurrency ${options.concurrency}) in ${options.locations.root}`,
    );
    return worker;
  }

  /** Stops taking jobs and waits for the running ones to end (SIGTERM). */
  stop(): Promise<void> {
    this.#closing ??= this.#close(false);
    return this.#closing;
  }

  /** Stops now: running stages are stopped and their jobs handed back (a second SIGTERM). */
  async stopNow(): Promise<void> {
    for (const jobId of this.#running) this.#handedBack.add(jobId);
    this.#worker.cancelAllJobs("worker stopping");
    await (this.#closing ?? this.#close(false));
  }

  async #close(force: boolean): Promise<void> {
    await this.#worker.close(force);
    await this.#subscriber.quit().catch(() => {});
    await this.#connection.quit().catch(() => {});
    this.#watchdog.close();
  }

  async #process(job: Job, signal: AbortSignal | undefined): Promise<AttemptEnd> {
    const accepted = this.#accept(job);
    const { data } = accepted;
    const jobId = job.id ?? "";
    const label = `${data.runId} ${data.stageId} attempt ${data.attempt}`;
    this.#running.add(jobId);
    try {
      return await this.#run(job, accepted, signal, label);
    } finally {
      this.#running.delete(jobId);
      this.#lost.delete(jobId);
      this.#handedBack.delete(jobId);
    }
  }

  /** Runs the stage of an accepted job, streaming its output; its end is the job's result. */
  async #run(
    job: Job,
    accepted: { data: StageJobData; item: PlanItem; plan: ExecutionPlan },
    signal: AbortSignal | undefined,
    label: string,
  ): Promise<AttemptEnd> {
    const { data, item } = accepted;
    const keys = queueKeys(this.#options.queue);
    const jobId = job.id ?? "";
    const sender = new OutputSender({
      redis: this.#connection,
      key: keys.output(jobId),
      execution: `${this.id}/${randomBytes(4).toString("hex")}`,
    });
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    if (signal?.aborted === true) stop.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if ((await this.#connection.exists(keys.cancelled(jobId))) === 1) stop.abort();
    this.#options.log(`worker ${this.id}: running ${label}: ${item.stage.title}`);
    const startedAt = Date.now();
    const stage = item.stage;
    if (stage.kind !== "command") throw new UnrecoverableError("not a command stage");
    // Keyed before the command runs, from this checkout: what a success is stored under, or why not.
    const caching = await this.#cache.prepare(data, item);
    const log = caching !== null && "fingerprint" in caching ? caching.log : null;
    // A marker of this worker's own: a coordinator resuming on this host stops only its own stages.
    const marker = createStageMarker(data.runId, data.index, data.attempt);
    let shellPid: number | null = null;
    const streams = { o: new WorkerOutputStream(this.#redactor), e: new WorkerOutputStream(this.#redactor) };
    const forward = (stream: "o" | "e", bytes: Buffer) => {
      if (bytes.length === 0) return;
      sender.push(stream, bytes);
      log?.push(stream === "o" ? "stdout" : "stderr", bytes);
    };
    const outcome = await runShellCommand({
      command: stage.command,
      cwd: item.cwd,
      env: {
        ...this.#options.env,
        ...stage.env,
        ...this.#runEnvironment(data),
        ...parentGraceEnvironment(data.killGraceMs),
        [STAGE_MARKER_VARIABLE]: marker,
      },
      killGraceMs: data.killGraceMs,
      abortSignal: stop.signal,
      ...(stage.timeoutSeconds === undefined ? {} : { timeoutMs: stage.timeoutSeconds * 1000 }),
      onStdout: (chunk) => forward("o", streams.o.push(chunk)),
      onStderr: (chunk) => forward("e", streams.e.push(chunk)),
      onSpawn: (pid) => {
        shellPid = pid;
        this.#watchdog.watch(pid);
        sender.start({ worker: this.id, host: this.host, pid });
      },
    });
    if (shellPid === null) sender.start({ worker: this.id, host: this.host, pid: null });
    forward("o", streams.o.end());
    forward("e", streams.e.end());
    const leftovers = await stopLeftovers({
      marker,
      processGroup: shellPid,
      killGraceMs: data.killGraceMs,
    });
    if (shellPid !== null) this.#watchdog.release(shellPid);
    signal?.removeEventListener("abort", onAbort);
    const result: AttemptEnd = { ...outcome, leftoversStopped: leftovers.stopped };
    if (this.#lost.has(jobId) || this.#handedBack.has(jobId)) {
      sender.flush();
      this.#options.log(`worker ${this.id}: stopped ${label}, handing it back`);
      throw new Error(HANDED_BACK_REASON);
    }
    if (caching !== null && outcome.reason === "exit" && outcome.exitCode === 0)
      result.cache = await this.#storeResult(accepted, caching, label);
    await sender.end(result);
    const ending = outcome.reason === "exit" ? `exit ${outcome.exitCode}` : outcome.reason;
    this.#options.log(`worker ${this.id}: finished ${label}: ${ending} in ${Date.now() - startedAt} ms`);
    return result;
  }

  // Stores a success in the shared cache (or says why not); the attempt succeeded either way.
  async #storeResult(
    accepted: { data: StageJobData; item: PlanItem; plan: ExecutionPlan },
    caching: PreparedStore | NonNullable<AttemptEnd["cache"]>,
    label: string,
  ): Promise<NonNullable<AttemptEnd["cache"]>> {
    const report =
      "fingerprint" in caching
        ? await this.#cache.store(accepted.data, accepted.item, accepted.plan, caching)
        : caching;
    this.#options.log(
      report.stored
        ? `worker ${this.id}: stored ${label} in the shared cache (${report.files ?? 0} outputs)`
        : `worker ${this.id}: did not store ${label} in the shared cache: ${report.note ?? "no reason"}`,
    );
    return report;
  }

  /** The job's stage as this checkout plans it, or an error that fails the job without a retry. */
  #accept(job: Job): { data: StageJobData; item: PlanItem; plan: ExecutionPlan } {
    const refuse = (reason: string): never => {
      this.#options.log(`worker ${this.id}: refused job ${job.id}: ${reason}`);
      throw new UnrecoverableError(`refused by worker ${this.id}: ${reason}`);
    };
    const parsed = StageJobData.safeParse(job.data);
    if (!parsed.success) return refuse(`not a stage job (${parsed.error.issues[0]?.message ?? "invalid"})`);
    const data = parsed.data;
    let plan: ExecutionPlan;
    try {
      plan = this.#plan(data.taskId, data.pipelineId);
    } catch (error) {
      return refuse(`cannot plan ${data.pipelineId} for task ${data.taskId}: ${(error as Error).message}`);
    }
    if (plan.planHash !== data.planHash)
      return refuse(
        `its plan hash ${data.planHash} differs from this checkout's ${plan.planHash} (another commit or config)`,
      );
    const item = plan.items.find((candidate) => candidate.index === data.index);
    if (item === undefined || item.stage.id !== data.stageId || item.stage.kind !== "command")
      return refuse(`the plan has no command stage ${data.stageId} at ${data.index}`);
    return { data, item, plan };
  }

  #plan(taskId: string, pipelineId: string): ExecutionPlan {
    const key = `${taskId}\0${pipelineId}`;
    let plan = this.#plans.get(key);
    if (plan === undefined) {
      plan = this.#planner.plan(taskId, pipelineId);
      this.#plans.set(key, plan);
    }
    return plan;
  }

  // What a local run's stages see, with this checkout's folders.
  #runEnvironment(data: StageJobData): Record<string, string> {
    const { locations } = this.#options;
    return {
      MCP_RUNNER_TASK_ID: data.taskId,
      CODEX_ORCHESTRATOR_TASK_ID: data.taskId,
      CODEX_ORCHESTRATOR_RUN_ID: data.runId,
      CODEX_ORCHESTRATOR_PARENT_RUN_ID: data.runId,
      CODEX_ORCHESTRATOR_ROOT: locations.root,
      CODEX_ORCHESTRATOR_RUNS_DIR: locations.runsDir,
      CODEX_ORCHESTRATOR_OUT_DIR: locations.outDir,
    };
  }
}

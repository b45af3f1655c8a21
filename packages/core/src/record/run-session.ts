import { randomBytes } from "node:crypto";
import path from "node:path";
import {
  claimRunOwnership,
  createRunId,
  ensureDirectoryInside,
  resolveRunPaths,
  toRepoPath,
  writeCompatPointers,
  writeFileAtomic,
  writeJsonAtomic,
  type LockHandle,
  type OrchestratorLocations,
  type RunPaths,
} from "@codex/orchestrator-persistence";
import type { CommandEntry, Manifest, Provenance, ResumeToken } from "@codex/orchestrator-schema";
import {
  HEARTBEAT_INTERVAL_SECONDS,
  HEARTBEAT_STALE_AFTER_SECONDS,
  HeartbeatWriter,
} from "@codex/orchestrator-telemetry";
import type { ExecutionPlan, PlanItem } from "../plan/command-planner.js";
import { loadRunState } from "./run-log.js";
import { RunRecorder } from "./run-recorder.js";
import { journalEvents, journalFingerprint } from "./manifest-journal.js";
import { readPlanSnapshot, writePlanSnapshot } from "../plan/plan-snapshot.js";
import type { Redactor } from "../process/redaction.js";

/** Options for {@link RunSession.create}. */
export interface CreateRunSessionOptions {
  locations: OrchestratorLocations;
  plan: ExecutionPlan;
  taskSlug: string | null;
  parentRunId: string | null;
  approvalPolicy: string;
  /** Everything the run writes is redacted with it (the values, never the JSON text). */
  redactor: Redactor;
  /** How many stages may run at once, and whether branches run on after a failure. */
  concurrency: number;
  continueOnFailure: boolean;
  taskSource?: string;
  now?: Date;
  /** Where the run comes from (manifest `provenance`, redacted like everything else). */
  provenance?: Provenance | null;
  /** Whether the logs carry hash chains (default true; docs/evidence.md). */
  chained?: boolean;
}

function initialEntry(item: PlanItem, paths: RunPaths, root: string): CommandEntry {
  const stage = item.stage;
  return {
    index: item.index,
    id: stage.id,
    title: stage.title,
    kind: stage.kind,
    command: stage.kind === "command" ? stage.command : null,
    status: "pending",
    started_at: null,
    completed_at: null,
    exit_code: null,
    summary: null,
    log_path:
      stage.kind === "command"
        ? toRepoPath(root, path.join(paths.commandsDir, `${item.fileStem}.ndjson`))
        : null,
    error_file: null,
    sub_run_id: null,
    guardrail: item.guardrail,
    needs: item.needs,
  };
}

/**
 * One run's files while a process works on it: the ownership claim, the heartbeat, and the
 * recorder that owns its state (events, manifest). Creating a session lays out every file of
 * docs/contract.md §3; opening one (resume) reuses them.
 */
export class RunSession {
  readonly locations: OrchestratorLocations;
  readonly paths: RunPaths;
  readonly plan: ExecutionPlan;
  readonly recorder: RunRecorder;
  #heartbeat: HeartbeatWriter | null = null;
  #owner: LockHandle | null;

  private constructor(options: {
    locations: OrchestratorLocations;
    paths: RunPaths;
    plan: ExecutionPlan;
    manifest: Manifest;
    redactor: Redactor;
    owner: LockHandle;
    chained: boolean;
  }) {
    this.locations = options.locations;
    this.paths = options.paths;
    this.plan = options.plan;
    this.#owner = options.owner;
    ensureDirectoryInside(this.paths.commandsDir, this.paths.runDir);
    this.recorder = new RunRecorder({
      paths: options.paths,
      manifest: options.manifest,
      redactor: options.redactor,
      pendingEvents: (manifest) => journalEvents(manifest, options.paths),
      pendingFingerprint: () => journalFingerprint(options.paths),
      chained: options.chained,
    });
  }

  /** Lays out a new run: directory, ownership, token, pointers, plan snapshot and first manifest. */
  static create(options: CreateRunSessionOptions): RunSession {
    const { locations, plan, redactor } = options;
    const now = options.now ?? new Date();
    const runId = createRunId(now);
    const paths = resolveRunPaths(
      locations,
      { taskId: plan.taskId, runId },
      { taskId: options.taskSource ?? "the task id" },
    );
    ensureDirectoryInside(paths.runDir, locations.runsDir);
    ensureDirectoryInside(paths.stateDir, locations.outDir);
    const owner = claimRunOwnership(paths.ownerLock, runId);
    // 32 bytes, 64 hex characters: the original CLI's token length, which its readers check.
    const token = randomBytes(32).toString("hex");
    const createdAt = now.toISOString();
    const tokenRecord: ResumeToken = { run_id: runId, token, created_at: createdAt };
    // Both written whole: a kill between creating and filling a file would leave it empty.
    writeJsonAtomic(paths.resumeTokenJson, tokenRecord, { mode: 0o600 });
    writeFileAtomic(paths.resumeTokenText, `${token}\n`, { mode: 0o600 });
    writePlanSnapshot(paths.pipelineSnapshot, locations.root, plan, redactor);
    const pointers = writeCompatPointers(locations, paths, now);
    const root = locations.root;
    const manifest: Manifest = {
      version: 1,
      task_id: plan.taskId,
      task_slug: options.taskSlug,
      run_id: runId,
      parent_run_id: options.parentRunId,
      pipeline_id: plan.pipeline.id,
      pipeline_title: plan.pipeline.title,
      runner: "codex-cli",
      approval_policy: options.approvalPolicy,
      status: "queued",
      status_detail: null,
      started_at: createdAt,
      updated_at: createdAt,
      completed_at: null,
      heartbeat_at: null,
      heartbeat_interval_seconds: HEARTBEAT_INTERVAL_SECONDS,
      heartbeat_stale_after_seconds: HEARTBEAT_STALE_AFTER_SECONDS,
      artifact_root: toRepoPath(root, paths.runDir),
      compat_path: pointers.compatPath,
      log_path: toRepoPath(root, paths.runnerLog),
      summary: "",
      metrics_recorded: false,
      resume_token: token,
      resume_events: [],
      approvals: [],
      commands: plan.items.map((item) => initialEntry(item, paths, root)),
      child_runs: [],
      run_summary_path: null,
      plan_hash: plan.planHash,
      pipeline_source: plan.pipeline.source,
      concurrency: options.concurrency,
      continue_on_failure: options.continueOnFailure,
      event_seq: 0,
      provenance: options.provenance ?? null,
    };
    const session = new RunSession({
      locations,
      paths,
      plan,
      manifest: { ...manifest },
      redactor,
      owner,
      chained: options.chained ?? true,
    });
    session.recorder.record({ type: "run:created", manifest }, null, "now");
    return session;
  }

  /**
   * Reopens an existing run for this process (resume); the caller has checked it may. Its state is
   * what its files prove (see loadRunState). The stored plan has its secrets redacted, so when
   * `replan` yields a plan with the same hash (the config has not changed), that plan, with the
   * real values, is the one replayed.
   */
  static open(options: {
    locations: OrchestratorLocations;
    paths: RunPaths;
    owner: LockHandle;
    redactor: Redactor;
    replan?: ((taskId: string, pipelineId: string) => ExecutionPlan) | undefined;
    chained?: boolean | undefined;
  }): RunSession {
    const manifest = loadRunState(options.paths);
    const plan = withLiveSecrets(
      readPlanSnapshot(options.paths.pipelineSnapshot, options.locations.root),
      options.replan,
    );
    writeCompatPointers(options.locations, options.paths);
    // A run the original CLI wrote may have no out/<task>/ yet; its state entry goes there.
    ensureDirectoryInside(options.paths.stateDir, options.locations.outDir);
    return new RunSession({
      locations: options.locations,
      paths: options.paths,
      owner: options.owner,
      redactor: options.redactor.withStageSecrets(plan.items.map((item) => item.stage)),
      manifest,
      plan,
      chained: options.chained ?? true,
    });
  }

  /** The run's state as recorded so far (change it through {@link recorder}). */
  get manifest(): Readonly<Manifest> {
    return this.recorder.manifest;
  }

  /** The manifest path relative to the root, as printed and cited. */
  get manifestPath(): string {
    return toRepoPath(this.locations.root, this.paths.manifest);
  }

  /** The entry of stage `index`. */
  entry(index: number): Readonly<CommandEntry> {
    const entry = this.manifest.commands[index - 1];
    if (entry === undefined) throw new Error(`No stage ${index} in run ${this.manifest.run_id}`);
    return entry;
  }

  /** Starts beating every 5 s; each beat is recorded (`heartbeat_at`) and the manifest written. */
  startHeartbeat(onError: (error: unknown) => void): void {
    this.#heartbeat = new HeartbeatWriter({
      path: this.paths.heartbeat,
      onBeat: (timestamp) => {
        try {
          this.recorder.record({ type: "run:heartbeat", heartbeat_at: timestamp }, null, "later");
        } catch (error) {
          onError(error);
          return;
        }
        this.recorder.tryPersist();
      },
      onError,
    });
    this.#heartbeat.start();
  }

  /** Stops the heartbeat after a final beat. */
  stopHeartbeat(): void {
    this.#heartbeat?.stop({ final: true });
    this.#heartbeat = null;
  }

  /**
   * Closes the logs and gives up ownership, so status sees no live owner and resume may claim it.
   * `beforeRelease` runs once the logs are closed, while the run is still owned (its attestation).
   */
  close(beforeRelease?: () => void): void {
    this.stopHeartbeat();
    try {
      this.recorder.close();
      beforeRelease?.();
    } finally {
      this.#owner?.release();
      this.#owner = null;
    }
  }
}

function withLiveSecrets(
  stored: ExecutionPlan,
  replan: ((taskId: string, pipelineId: string) => ExecutionPlan) | undefined,
): ExecutionPlan {
  if (replan === undefined) return stored;
  try {
    const live = replan(stored.taskId, stored.pipeline.id);
    return live.planHash === stored.planHash ? live : stored;
  } catch {
    // Today's config no longer plans this pipeline; replay the plan the run started with.
    return stored;
  }
}

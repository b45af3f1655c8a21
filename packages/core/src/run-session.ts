import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  claimRunOwnership,
  createRunId,
  ensureDirectory,
  ensureDirectoryInside,
  readManifest,
  resolveRunPaths,
  toRepoPath,
  writeCompatPointers,
  writeJsonAtomic,
  writeManifest,
  type LockHandle,
  type OrchestratorLocations,
  type RunPaths,
  type TextTransform,
} from "@codex/orchestrator-persistence";
import type { CommandEntry, Manifest, ResumeToken } from "@codex/orchestrator-schema";
import {
  buildSummaryText,
  EventStreamWriter,
  HEARTBEAT_INTERVAL_SECONDS,
  HEARTBEAT_STALE_AFTER_SECONDS,
  HeartbeatWriter,
} from "@codex/orchestrator-telemetry";
import type { ExecutionPlan, PlanItem } from "./command-planner.js";
import { journalFingerprint, mergeJournal } from "./manifest-journal.js";
import { readPlanSnapshot, writePlanSnapshot } from "./plan-snapshot.js";

/** Options for {@link RunSession.create}. */
export interface CreateRunSessionOptions {
  locations: OrchestratorLocations;
  plan: ExecutionPlan;
  taskSlug: string | null;
  parentRunId: string | null;
  approvalPolicy: string;
  transform: TextTransform;
  taskSource?: string;
  now?: Date;
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
  };
}

/** The longest a "stage started" manifest write may be put off while stages keep succeeding. */
export const PERSIST_COALESCE_MS = 200;

/**
 * One run's artifacts while a process works on it: the manifest held in memory and written whole
 * on every change, the event stream, the heartbeat and the ownership claim. Creating a session
 * lays out every file of docs/contract.md §3; opening one (resume) reuses them.
 */
export class RunSession {
  readonly locations: OrchestratorLocations;
  readonly paths: RunPaths;
  readonly plan: ExecutionPlan;
  readonly manifest: Manifest;
  readonly events: EventStreamWriter;
  readonly transform: TextTransform;
  #heartbeat: HeartbeatWriter | null = null;
  #deferred: NodeJS.Timeout | null = null;
  #lastPersistAt = 0;
  #journalSeen = "";
  #owner: LockHandle | null;
  #onPersistError: (error: unknown) => void = () => {};

  private constructor(options: {
    locations: OrchestratorLocations;
    paths: RunPaths;
    plan: ExecutionPlan;
    manifest: Manifest;
    transform: TextTransform;
    owner: LockHandle;
  }) {
    this.locations = options.locations;
    this.paths = options.paths;
    this.plan = options.plan;
    this.manifest = options.manifest;
    this.transform = options.transform;
    this.#owner = options.owner;
    ensureDirectory(this.paths.commandsDir);
    this.events = new EventStreamWriter({
      runnerLogPath: this.paths.runnerLog,
      commandsDir: this.paths.commandsDir,
      transform: this.transform,
    });
  }

  /** Lays out a new run: directory, ownership, token, pointers, plan snapshot and first manifest. */
  static create(options: CreateRunSessionOptions): RunSession {
    const { locations, plan } = options;
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
    writeJsonAtomic(paths.resumeTokenJson, tokenRecord);
    fs.chmodSync(paths.resumeTokenJson, 0o600);
    fs.writeFileSync(paths.resumeTokenText, `${token}\n`, { flag: "wx", mode: 0o600 });
    writePlanSnapshot(paths.pipelineSnapshot, locations.root, plan, options.transform);
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
    };
    const session = new RunSession({ locations, paths, plan, manifest, transform: options.transform, owner });
    session.persist();
    return session;
  }

  /**
   * Reopens an existing run for this process (resume); the caller has checked it may. The stored
   * plan has its secrets redacted, so when `replan` yields a plan with the same hash (the config
   * has not changed), that plan, with the real values, is the one replayed.
   */
  static open(options: {
    locations: OrchestratorLocations;
    paths: RunPaths;
    owner: LockHandle;
    transform: TextTransform;
    replan?: ((taskId: string, pipelineId: string) => ExecutionPlan) | undefined;
  }): RunSession {
    const manifest = readManifest(options.paths.manifest);
    const plan = withLiveSecrets(
      readPlanSnapshot(options.paths.pipelineSnapshot, options.locations.root),
      options.replan,
    );
    writeCompatPointers(options.locations, options.paths);
    return new RunSession({
      locations: options.locations,
      paths: options.paths,
      owner: options.owner,
      transform: options.transform,
      manifest,
      plan,
    });
  }

  /** The manifest path relative to the root, as printed and cited. */
  get manifestPath(): string {
    return toRepoPath(this.locations.root, this.paths.manifest);
  }

  /** The entry of stage `index`. */
  entry(index: number): CommandEntry {
    const entry = this.manifest.commands[index - 1];
    if (entry === undefined) throw new Error(`No stage ${index} in run ${this.manifest.run_id}`);
    return entry;
  }

  /** Reports persist failures (disk full, permissions) somewhere the user sees them. */
  onPersistError(listener: (error: unknown) => void): void {
    this.#onPersistError = listener;
  }

  /**
   * Writes the manifest whole: journal entries from other processes folded in, the summary
   * recomputed, `updated_at` refreshed. Throws when the disk refuses; the last good manifest stays.
   */
  persist(): void {
    if (this.#deferred !== null) {
      clearTimeout(this.#deferred);
      this.#deferred = null;
    }
    this.#lastPersistAt = Date.now();
    this.#journalSeen = journalFingerprint(this.paths);
    mergeJournal(this.manifest, this.paths);
    this.manifest.summary = buildSummaryText(this.manifest);
    this.manifest.updated_at = new Date().toISOString();
    writeManifest(this.paths.manifest, this.manifest, { transform: this.transform });
  }

  /**
   * Writes the manifest now if the last write is older than {@link PERSIST_COALESCE_MS}, else once
   * that much time has passed. Used for "stage started" while stages keep succeeding, so a pipeline
   * of many short stages is not dominated by manifest writes; the manifest on disk is then at most
   * that much behind, and every failure, pause, cancellation and the end are written at once.
   */
  persistSoon(): void {
    const wait = this.#lastPersistAt + PERSIST_COALESCE_MS - Date.now();
    if (wait <= 0 || journalFingerprint(this.paths) !== this.#journalSeen) {
      this.persist();
      return;
    }
    if (this.#deferred !== null) return;
    this.#deferred = setTimeout(() => {
      this.#deferred = null;
      this.tryPersist();
    }, wait);
    this.#deferred.unref();
  }

  /** Like {@link persist}, but reports a failure instead of throwing (heartbeats, best effort). */
  tryPersist(): boolean {
    try {
      this.persist();
      return true;
    } catch (error) {
      this.#onPersistError(error);
      return false;
    }
  }

  /** Starts beating every 5 s; each beat refreshes `heartbeat_at` in the manifest. */
  startHeartbeat(onError: (error: unknown) => void): void {
    this.#heartbeat = new HeartbeatWriter({
      path: this.paths.heartbeat,
      onBeat: (timestamp) => {
        this.manifest.heartbeat_at = timestamp;
        this.tryPersist();
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

  /** Closes the logs and gives up ownership, so status sees no live owner and resume may claim it. */
  close(): void {
    if (this.#deferred !== null) {
      clearTimeout(this.#deferred);
      this.#deferred = null;
    }
    this.stopHeartbeat();
    try {
      this.events.close();
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

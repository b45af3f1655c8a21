import { StringDecoder } from "node:string_decoder";
import {
  collectOutputs,
  fingerprintStage,
  MAX_CACHED_LOG_BYTES,
  stageCacheSpec,
  workspaceRedactor,
  type AttemptCacheReport,
  type ExecutionPlan,
  type LogChunk,
  type PlanItem,
  type StageFingerprint,
  type Workspace,
} from "@codex/orchestrator-core";
import type { OrchestratorLocations } from "@codex/orchestrator-persistence";
import type { CommandStage } from "@codex/orchestrator-schema";
import type { RedisCacheStore } from "./redis-cache-store.js";
import type { StageJobData } from "./stage-job.js";

/** A job's stage the worker will store after a success: its own key and declared outputs. */
export interface PreparedStore {
  fingerprint: StageFingerprint;
  outputs: readonly string[];
  replace: boolean;
  log: RawLog;
}

/**
 * How a worker stores the stages it runs into the shared cache. Nothing of it comes from the job
 * but the needs' keys and the key to check against: the inputs, env values, output globs and
 * cwd are those of the worker's own planned stage, and a key that differs from the coordinator's
 * (other files or env here) is not stored, so an entry always holds what its key describes.
 */
export class WorkerStageCache {
  readonly #store: RedisCacheStore;
  readonly #locations: OrchestratorLocations;
  readonly #env: NodeJS.ProcessEnv;
  readonly #workspace: Workspace;

  constructor(options: {
    store: RedisCacheStore;
    locations: OrchestratorLocations;
    env: NodeJS.ProcessEnv;
    workspace: Workspace;
  }) {
    this.#store = options.store;
    this.#locations = options.locations;
    this.#env = options.env;
    this.#workspace = options.workspace;
  }

  /**
   * Before the command runs (its inputs as the coordinator keyed them): the worker's own key, or
   * why this attempt will not be stored. Null when the job asks nothing of the cache.
   */
  async prepare(data: StageJobData, item: PlanItem): Promise<PreparedStore | AttemptCacheReport | null> {
    const job = data.cache;
    if (job === undefined) return null;
    const refuse = (why: string): AttemptCacheReport => ({
      stored: false,
      files: null,
      note: `not stored: ${why}`,
    });
    const stage = item.stage as CommandStage;
    const { spec } = stageCacheSpec(stage, item.guardrail);
    if (spec === null) return refuse("this worker's plan does not cache the stage");
    const needIds = job.needs.map((need) => need.id);
    if (needIds.length !== item.needs.length || needIds.some((id, position) => id !== item.needs[position]))
      return refuse(`the job's needs (${needIds.join(", ")}) are not the stage's (${item.needs.join(", ")})`);
    const excluded = [this.#locations.runsDir, this.#locations.outDir];
    let fingerprint: StageFingerprint;
    try {
      fingerprint = await fingerprintStage({
        root: this.#locations.root,
        cwd: item.cwd,
        command: stage.command,
        stageEnv: stage.env ?? {},
        environment: this.#env,
        spec,
        needs: job.needs,
        excluded,
      });
    } catch (error) {
      return refuse(`its inputs could not be read on the worker (${(error as Error).message})`);
    }
    if (fingerprint.key !== job.key)
      return refuse(
        `the worker computed ${fingerprint.key}, not the coordinator's ${job.key} (its checkout's files or declared env differ)`,
      );
    return { fingerprint, outputs: spec.outputs, replace: job.replace, log: new RawLog() };
  }

  /** After a success: stores the stage's outputs from this checkout and its (redacted) log. */
  async store(
    data: StageJobData,
    item: PlanItem,
    plan: ExecutionPlan,
    prepared: PreparedStore,
  ): Promise<AttemptCacheReport> {
    const redactor = workspaceRedactor(this.#workspace, this.#env).withStageSecrets(
      plan.items.map((planned) => planned.stage),
    );
    const chunks = prepared.log.chunks();
    if (chunks === null)
      return {
        stored: false,
        files: null,
        note: `not stored: its output is larger than ${MAX_CACHED_LOG_BYTES / 1024 ** 2} MiB`,
      };
    try {
      const outputs = await collectOutputs({
        root: this.#locations.root,
        cwd: item.cwd,
        patterns: prepared.outputs,
        excluded: [this.#locations.runsDir, this.#locations.outDir],
      });
      const result = await this.#store.put({
        key: prepared.fingerprint.key,
        root: this.#locations.root,
        source: {
          run_id: data.runId,
          task_id: data.taskId,
          pipeline_id: data.pipelineId,
          stage_id: data.stageId,
          completed_at: new Date().toISOString(),
        },
        fingerprint: prepared.fingerprint,
        outputs,
        log: chunks.map((chunk) => ({ stream: chunk.stream, data: redactor.redact(chunk.data) })),
        replace: prepared.replace,
      });
      return result === "stored"
        ? { stored: true, files: outputs.length, note: null }
        : { stored: false, files: outputs.length, note: "another run stored this key first" };
    } catch (error) {
      return { stored: false, files: null, note: `not stored: ${(error as Error).message}` };
    }
  }
}

/** A stage's output as text, decoded per stream as the coordinator decodes it (no character cut). */
export class RawLog {
  readonly #decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  #chunks: LogChunk[] = [];
  #bytes = 0;
  #overflow = false;

  push(stream: LogChunk["stream"], chunk: Buffer): void {
    if (this.#overflow) return;
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_CACHED_LOG_BYTES) {
      this.#overflow = true;
      this.#chunks = [];
      return;
    }
    this.#append(stream, this.#decoders[stream].write(chunk));
  }

  /** Ends both streams; the output as text chunks, or null when it outgrew the bound. */
  chunks(): LogChunk[] | null {
    if (this.#overflow) return null;
    this.#append("stdout", this.#decoders.stdout.end());
    this.#append("stderr", this.#decoders.stderr.end());
    return this.#chunks;
  }

  #append(stream: LogChunk["stream"], data: string): void {
    if (data === "") return;
    const last = this.#chunks.at(-1);
    if (last?.stream === stream) last.data += data;
    else this.#chunks.push({ stream, data });
  }
}

import {
  ExecutorUnavailableError,
  type AttemptPlace,
  type AttemptRequest,
  type AttemptResult,
  type CacheStore,
  type StageExecutor,
} from "@codex/orchestrator-core";
import { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { guardedStore, RedisCacheStore } from "./redis-cache-store.js";
import { checkRedis, openConnection, type RedisTarget } from "./redis-connection.js";
import {
  AttemptEnd,
  HANDED_BACK_REASON,
  KEEP_FINISHED_SECONDS,
  queueKeys,
  stageJobId,
  type StageJobData,
} from "./stage-job.js";

/** Options for {@link BullmqExecutor.connect}. */
export interface BullmqExecutorOptions {
  redis: RedisTarget;
  queue: string;
  /** The root config's `cache.maxSize`: the shared cache is pruned to it (by the workers that store). */
  cacheMaxSize: number;
  /** How long Redis may be away before the attempt (and the run) fails `executor:unavailable`. */
  unavailableAfterMs: number;
}

// How long one read of an attempt's stream blocks before the job's state is checked.
const READ_BLOCK_MS = 1_000;
// How often Redis's reachability is looked at while waiting on it.
const AVAILABILITY_POLL_MS = 250;
// After a stop was asked for, how long past the grace the worker's word is waited for.
const STOP_MARGIN_MS = 10_000;
const STALLED_REASON = "job stalled more than allowable limit";

/**
 * The coordinator's side of the `bullmq` executor: each attempt becomes a job (run, stage, attempt,
 * plan hash), its output is read back from the attempt's stream and handed to the coordinator's
 * usual output path, and the worker's end entry (or the job's failure) is the attempt's result.
 */
export class BullmqExecutor implements StageExecutor {
  readonly kind = "bullmq";
  /** The stage cache in this Redis, shared with the workers (they store what they run). */
  readonly sharedCache: CacheStore;
  readonly #options: BullmqExecutorOptions;
  readonly #connection: Redis;
  readonly #queue: Queue;
  readonly #idleReaders: Redis[] = [];
  readonly #readers = new Set<Redis>();
  #downSince: number | null = null;

  private constructor(options: BullmqExecutorOptions) {
    this.#options = options;
    this.#connection = openConnection(options.redis, "codex-coordinator");
    this.#connection.on("error", () => {});
    this.#queue = new Queue(options.queue, { connection: this.#connection });
    this.#queue.on("error", () => {});
    this.sharedCache = guardedStore(
      new RedisCacheStore(this.#connection, {
        display: options.redis.display,
        maxSize: options.cacheMaxSize,
      }),
      (pending) => this.#available(pending),
    );
  }

  /** Connects, failing with one line (a usage error, exit 2) when Redis cannot be reached. */
  static async connect(options: BullmqExecutorOptions): Promise<BullmqExecutor> {
    await checkRedis(options.redis);
    const executor = new BullmqExecutor(options);
    await executor.#queue.waitUntilReady();
    return executor;
  }

  async runAttempt(request: AttemptRequest): Promise<AttemptResult> {
    const keys = queueKeys(this.#options.queue);
    const data: StageJobData = {
      runId: request.runId,
      taskId: request.taskId,
      pipelineId: request.pipelineId,
      stageId: request.stage.id,
      index: request.index,
      attempt: request.attempt,
      planHash: request.planHash,
      killGraceMs: Math.min(Math.round(request.killGraceMs), 600_000),
      ...(request.cache == null ? {} : { cache: request.cache }),
    };
    // A resumed coordinator re-attaches to the attempt its killed predecessor queued, when that
    // job still waits, runs or has finished: the stage does not run twice, and its whole output
    // (the stream keeps it) is recorded once, under the new attempt.
    const adopted = await this.#unfinishedJob(request);
    const jobId = adopted ?? stageJobId(data);
    // Queueing the same id again is a no-op: BullMQ keeps the job that exists.
    if (adopted === null)
      await this.#available(
        this.#queue.add("stage", data, {
          jobId,
          attempts: 1,
          removeOnComplete: { age: KEEP_FINISHED_SECONDS },
          removeOnFail: { age: KEEP_FINISHED_SECONDS },
        }),
      );
    let stopAskedAt: number | null = null;
    const askStop = () => {
      stopAskedAt = Date.now();
      void this.#stop(jobId).catch(() => {});
    };
    if (request.abortSignal.aborted) askStop();
    else request.abortSignal.addEventListener("abort", askStop, { once: true });
    const reader = this.#takeReader();
    let place: AttemptPlace | null = null;
    let execution: string | null = null;
    let lastId = "0-0";
    let lastStateCheck = 0;
    try {
      for (;;) {
        const reply = await this.#available(
          reader.xread("COUNT", 100, "BLOCK", READ_BLOCK_MS, "STREAMS", keys.output(jobId), lastId),
        );
        for (const [id, list] of reply?.[0]?.[1] ?? []) {
          lastId = id;
          const fields = fieldsOf(list);
          if (execution === null && fields.t === "start") {
            execution = fields.x ?? "";
            place = { pid: null, worker: fields.w ?? null, host: fields.h ?? null };
            request.onStart(place);
          }
          if (fields.x !== execution) continue;
          if (fields.t === "out") {
            const chunk = Buffer.from(fields.d ?? "", "base64");
            if (fields.s === "e") request.onStderr(chunk);
            else request.onStdout(chunk);
          } else if (fields.t === "end") {
            return resultOf(AttemptEnd.parse(JSON.parse(fields.r ?? "null")));
          }
        }
        if (reply === null || Date.now() - lastStateCheck >= READ_BLOCK_MS) {
          lastStateCheck = Date.now();
          const ended = await this.#jobEnding(jobId, stopAskedAt !== null);
          if (ended !== null) return ended;
        }
        if (stopAskedAt !== null && Date.now() - stopAskedAt > request.killGraceMs + STOP_MARGIN_MS)
          return resultOf({
            exitCode: null,
            signal: null,
            reason: "cancelled",
            error: null,
            leftoversStopped: 0,
          });
      }
    } finally {
      request.abortSignal.removeEventListener("abort", askStop);
      this.#giveBack(reader);
    }
  }

  async #unfinishedJob(request: AttemptRequest): Promise<string | null> {
    if (request.unfinishedAttempt === null) return null;
    const jobId = stageJobId({
      runId: request.runId,
      stageId: request.stage.id,
      attempt: request.unfinishedAttempt,
    });
    const state = await this.#available(this.#queue.getJobState(jobId));
    return state === "unknown" || state === "failed" ? null : jobId;
  }

  async close(): Promise<void> {
    for (const reader of this.#readers) reader.disconnect();
    await this.#queue.close().catch(() => {});
    this.#connection.disconnect();
  }

  /**
   * How the job ended when its stream has no end entry: failed (refused, or stalled because its
   * worker was lost), removed (a stop before any worker took it), or null while it waits or runs.
   */
  async #jobEnding(jobId: string, stopping: boolean): Promise<AttemptResult | null> {
    const state = await this.#available(this.#queue.getJobState(jobId));
    // Gone: removed by our stop before a worker took it, or lost with Redis's data (then the
    // attempt is lost as with a lost worker, and runs again).
    if (state === "unknown" && stopping)
      return resultOf({
        exitCode: null,
        signal: null,
        reason: "cancelled",
        error: null,
        leftoversStopped: 0,
      });
    if (state === "unknown")
      return {
        outcome: { exitCode: null, signal: null, reason: "stalled", error: null },
        leftoversStopped: 0,
      };
    if (state !== "failed") return null;
    const job = await this.#available(Job.fromId(this.#queue, jobId));
    const reason = job?.failedReason ?? "the job failed";
    if (reason === STALLED_REASON || reason === HANDED_BACK_REASON)
      return {
        outcome: { exitCode: null, signal: null, reason: "stalled", error: null },
        leftoversStopped: 0,
      };
    return resultOf({
      exitCode: null,
      signal: null,
      reason: "spawn-error",
      error: reason,
      leftoversStopped: 0,
    });
  }

  // A job no worker has taken is removed; a running one is stopped by its worker (same grace).
  async #stop(jobId: string): Promise<void> {
    const keys = queueKeys(this.#options.queue);
    await this.#connection.set(keys.cancelled(jobId), "1", "EX", KEEP_FINISHED_SECONDS);
    await this.#connection.publish(keys.cancelChannel, jobId);
    const state = await this.#queue.getJobState(jobId);
    if (state === "waiting" || state === "prioritized" || state === "delayed")
      await this.#queue.remove(jobId);
  }

  /** Waits for a Redis command, failing once Redis has been away longer than allowed. */
  #available<T>(pending: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setInterval(() => {
        if (this.#connection.status === "ready") this.#downSince = null;
        else this.#downSince ??= Date.now();
        if (this.#downSince !== null && Date.now() - this.#downSince > this.#options.unavailableAfterMs) {
          clearInterval(timer);
          reject(
            new ExecutorUnavailableError(
              `Redis at ${this.#options.redis.display} has been unreachable for ${Math.round((Date.now() - this.#downSince) / 1000)} s`,
            ),
          );
        }
      }, AVAILABILITY_POLL_MS);
      pending.then(
        (value) => {
          clearInterval(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearInterval(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  // Each running attempt blocks on a connection of its own while it reads its stream.
  #takeReader(): Redis {
    const reader = this.#idleReaders.pop() ?? openConnection(this.#options.redis, "codex-coordinator-reader");
    reader.removeAllListeners("error");
    reader.on("error", () => {});
    this.#readers.add(reader);
    return reader;
  }

  #giveBack(reader: Redis): void {
    if (reader.status === "ready") this.#idleReaders.push(reader);
    else {
      this.#readers.delete(reader);
      reader.disconnect();
    }
  }
}

function fieldsOf(list: string[]): Record<string, string | undefined> {
  const fields: Record<string, string> = {};
  for (let position = 0; position + 1 < list.length; position += 2)
    fields[list[position]!] = list[position + 1]!;
  return fields;
}

function resultOf(end: AttemptEnd): AttemptResult {
  return {
    outcome: { exitCode: end.exitCode, signal: end.signal, reason: end.reason, error: end.error },
    leftoversStopped: end.leftoversStopped,
    cache: end.cache ?? null,
  };
}

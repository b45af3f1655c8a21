import * as z from "zod";
import { IdentifierPattern } from "@codex/orchestrator-schema";

/**
 * What a job says: which run, stage and attempt, and the plan hash the coordinator planned. Never
 * a command line: the worker plans the stage from its own checkout and refuses a different plan.
 * Unknown fields are refused, so nothing else can be slipped in.
 */
export const StageJobData = z.strictObject({
  runId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  taskId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  pipelineId: z.string().regex(IdentifierPattern),
  stageId: z.string().regex(IdentifierPattern),
  index: z.int().min(1),
  attempt: z.int().min(1),
  planHash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  killGraceMs: z.int().min(0).max(600_000),
  /**
   * On a cache miss: the key the coordinator computed and the needs' keys it used. The worker
   * computes the key itself from its own checkout (these needs, its planned stage) and stores a
   * success only when the two agree; the outputs it stores are those its own plan declares.
   */
  cache: z
    .strictObject({
      key: z.string().regex(/^sha256:[0-9a-f]{64}$/),
      needs: z
        .array(
          z.strictObject({
            id: z.string().regex(IdentifierPattern),
            key: z.string().max(200),
            status: z.string().regex(/^[a-z]{1,20}$/),
          }),
        )
        .max(1_000),
      replace: z.boolean(),
    })
    .optional(),
});
/** A stage job's data. */
export type StageJobData = z.infer<typeof StageJobData>;

/** How a worker says an attempt ended (the job's return value and the stream's last entry). */
export const AttemptEnd = z.strictObject({
  exitCode: z.int().nullable(),
  signal: z.string().nullable(),
  reason: z.enum(["exit", "signal", "timeout", "spawn-error", "stalled", "cancelled"]),
  error: z.string().nullable(),
  leftoversStopped: z.int().min(0),
  /** Whether the worker stored the attempt in the shared cache (jobs with `cache` only). */
  cache: z
    .strictObject({ stored: z.boolean(), files: z.int().min(0).nullable(), note: z.string().nullable() })
    .nullable()
    .optional(),
});
/** How an attempt ended on its worker. */
export type AttemptEnd = z.infer<typeof AttemptEnd>;

/**
 * The job id of one attempt: run, stage and attempt, so queueing it again is a no-op. Our ids never
 * hold `:` (BullMQ's separator); `.` separates the parts.
 */
export function stageJobId(data: Pick<StageJobData, "runId" | "stageId" | "attempt">): string {
  return `${data.runId}.${data.stageId}.${data.attempt}`;
}

/** The Redis keys of one queue beside BullMQ's own (`bull:<queue>:…`). */
export function queueKeys(queue: string) {
  return {
    /** The stream an attempt's output and end come home through. */
    output: (jobId: string) => `codex:${queue}:output:${jobId}`,
    /** Where coordinators publish the job ids of attempts to stop. */
    cancelChannel: `codex:${queue}:cancel`,
    /** Set beside the publication, so a worker that takes the job later still sees it. */
    cancelled: (jobId: string) => `codex:${queue}:cancelled:${jobId}`,
  };
}

/** Worker lock and stall settings: a killed worker's stage runs again within about 10 s (docs/distributed.md). */
export const WORKER_TIMING = {
  /** A worker's lock on a job expires this long after its last renewal (renewed every half of it). */
  lockDurationMs: 3_000,
  /** How often each worker looks for jobs whose lock expired. */
  stalledIntervalMs: 1_500,
  /** A stalled job fails at once; the coordinator records the attempt `stalled` and queues the next. */
  maxStalledCount: 0,
} as const;

/** How a job a stopping worker hands back fails: the coordinator runs the attempt again, as for a lost worker. */
export const HANDED_BACK_REASON = "handed back by its worker";

/** Output and end entries are kept at most this many per attempt (older ones are trimmed). */
export const OUTPUT_STREAM_MAX_ENTRIES = 100_000;
/** Finished jobs and their output streams are kept this long, so re-queueing an attempt stays a no-op. */
export const KEEP_FINISHED_SECONDS = 24 * 60 * 60;

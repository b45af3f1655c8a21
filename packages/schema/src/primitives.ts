import * as z from "zod";

/** An ISO-8601 timestamp (UTC `Z` or with an offset). */
export const Timestamp = z.iso.datetime({ offset: true });

/** A timestamp or null (not yet happened). */
export const NullableTimestamp = Timestamp.nullable();

/** Lifecycle of a run. `awaiting_approval` means a manual stage is waiting. */
export const RunStatus = z.enum([
  "queued",
  "in_progress",
  "succeeded",
  "failed",
  "cancelled",
  "awaiting_approval",
]);
/** Lifecycle of a run. */
export type RunStatus = z.infer<typeof RunStatus>;

/** Lifecycle of one stage of a run. */
export const StageStatus = z.enum(["pending", "running", "succeeded", "failed", "skipped"]);
/** Lifecycle of one stage of a run. */
export type StageStatus = z.infer<typeof StageStatus>;

/** The three kinds of stage. */
export const StageKind = z.enum(["command", "subpipeline", "manual"]);
/** The three kinds of stage. */
export type StageKind = z.infer<typeof StageKind>;

/** Run statuses after which nothing more happens unless someone resumes. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "cancelled"];

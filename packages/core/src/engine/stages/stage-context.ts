import type { SubpipelineStage } from "@codex/orchestrator-schema";
import type { ApprovalPolicy, ApprovalPrompt } from "../../runs/approval-policy.js";
import type { PlanItem } from "../../plan/command-planner.js";
import type { EventBus } from "../../event-bus.js";
import type { Redactor } from "../../process/redaction.js";
import type { RunSession } from "../../record/run-session.js";
import type { StageCacheAccess } from "./stage-cache.js";
import type { StageExecutor } from "../stage-executor.js";

/**
 * How a stage ended. `detail` is what the run's `status_detail` becomes when this outcome decides
 * the run; `summary` and `errorFile` are recorded on the stage's entry.
 */
export type StageOutcome =
  | { status: "succeeded" | "skipped"; detail: null; summary: string | null; errorFile: string | null }
  | {
      status: "failed" | "paused" | "cancelled";
      detail: string;
      summary: string | null;
      errorFile: string | null;
    };

/** What a nested run came to. */
export interface ChildRunOutcome {
  runId: string;
  status: "succeeded" | "failed" | "cancelled" | "awaiting_approval" | "queued" | "in_progress";
}

/** Everything a stage needs from the run executing it. */
export interface StageContext {
  session: RunSession;
  item: PlanItem;
  bus: EventBus;
  env: NodeJS.ProcessEnv;
  /** The run's redactor, which the stage's own secret env values extend. */
  redactor: Redactor;
  /** Stops this stage: the run was cancelled, or another stage failed first. */
  abortSignal: AbortSignal;
  killGraceMs: number;
  /** Runs command-stage attempts: here (`local`) or on workers. */
  executor: StageExecutor;
  approvalPolicy: ApprovalPolicy;
  approvalPrompt: ApprovalPrompt | undefined;
  /** The stage cache (null: no cache for this run). */
  cache: StageCacheAccess | null;
  /** Runs (or resumes, when `existingRunId` is set) a nested pipeline; `abortSignal` stops it. */
  runChild: (
    stage: SubpipelineStage,
    existingRunId: string | null,
    abortSignal: AbortSignal,
  ) => Promise<ChildRunOutcome>;
}

const SUMMARY_MAX = 200;

/** A summary clipped to what a manifest line shows. */
export function clipSummary(text: string): string {
  return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
}

import { createHash } from "node:crypto";
import path from "node:path";
import { stageFileStem, toRepoPath } from "@codex/orchestrator-persistence";
import type { PlanOutput, Stage } from "@codex/orchestrator-schema";
import { isGuardrailStage } from "@codex/orchestrator-telemetry";
import { buildStageGraph, type StageGraph } from "../engine/stage-graph.js";
import { PipelineCycleError } from "../errors.js";
import { BUILT_IN_SOURCE, resolvePipeline, type ResolvedPipeline } from "../config/pipeline-registry.js";
import type { Workspace } from "../config/workspace.js";

/** One stage, ready to execute. */
export interface PlanItem {
  /** 1-based position. */
  index: number;
  stage: Stage;
  origin: string;
  guardrail: boolean;
  /** Absolute working directory (command stages). */
  cwd: string;
  /** `NN-<slug>`, the stem of the stage's log and error files. */
  fileStem: string;
  /** The ids of the stages it needs (a stage without `needs` needs the one before it). */
  needs: string[];
}

/** A pipeline turned into ordered plan items, with the hash approvals are bound to. */
export interface ExecutionPlan {
  taskId: string;
  pipeline: ResolvedPipeline;
  items: PlanItem[];
  planHash: string;
  /** What each stage needs and what can run together. */
  graph: StageGraph;
}

/** Maps pipelines to ordered plan items (the TaskManager's planner). */
export class CommandPlanner {
  readonly #workspace: Workspace;

  constructor(workspace: Workspace) {
    this.#workspace = workspace;
  }

  /** Plans a pipeline for a task, first proving that its subpipelines do not nest in a loop. */
  plan(taskId: string, pipelineId: string): ExecutionPlan {
    const pipeline = resolvePipeline(this.#workspace, taskId, pipelineId);
    this.#assertNoSubpipelineCycle(taskId, pipeline, [`${taskId}:${pipeline.id}`]);
    const graph = buildStageGraph(
      pipeline.id,
      pipeline.stages.map((resolved, position) => ({
        index: position + 1,
        stage: resolved.stage,
        origin: resolved.origin,
      })),
    );
    const items = pipeline.stages.map((resolved, position): PlanItem => {
      const index = position + 1;
      const stage = resolved.stage;
      const cwd =
        stage.kind === "command" && stage.cwd !== undefined
          ? path.resolve(resolved.baseDirectory, stage.cwd)
          : resolved.baseDirectory;
      return {
        index,
        stage,
        origin: resolved.origin,
        guardrail: stage.kind === "command" && isGuardrailStage(stage),
        cwd,
        fileStem: stageFileStem(index, stage.id),
        needs: idsOf(pipeline.stages, graph.needs.get(index) ?? []),
      };
    });
    return {
      taskId,
      pipeline,
      items,
      planHash: hashPlan(this.#workspace.root, pipeline.id, items),
      graph,
    };
  }

  #assertNoSubpipelineCycle(taskId: string, pipeline: ResolvedPipeline, trail: string[]): void {
    for (const { stage } of pipeline.stages) {
      if (stage.kind !== "subpipeline") continue;
      const childTask = stage.task ?? taskId;
      const key = `${childTask}:${stage.pipeline}`;
      if (trail.includes(key)) {
        const display = (entry: string) =>
          entry.startsWith(`${taskId}:`) && childTask === taskId ? entry.slice(taskId.length + 1) : entry;
        throw new PipelineCycleError("subpipeline", [...trail, key].map(display));
      }
      const child = resolvePipeline(this.#workspace, childTask, stage.pipeline);
      this.#assertNoSubpipelineCycle(childTask, child, [...trail, key]);
    }
  }
}

function idsOf(stages: readonly { stage: Stage }[], indices: readonly number[]): string[] {
  return indices.map((index) => stages[index - 1]?.stage.id ?? String(index));
}

/**
 * A stable hash of what a plan would do (stage kinds, commands, cwds, env, targets). An approval
 * records it, so a gate approved for one plan does not silently pass a changed one.
 */
export function hashPlan(root: string, pipelineId: string, items: readonly PlanItem[]): string {
  const canonical = items.map((item) => ({
    ...sortKeys(item.stage as unknown as Record<string, unknown>),
    cwd: toRepoPath(root, item.cwd) || ".",
  }));
  return `sha256:${createHash("sha256")
    .update(JSON.stringify({ pipeline: pipelineId, stages: canonical }))
    .digest("hex")}`;
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const entry = value[key];
    sorted[key] =
      entry !== null && typeof entry === "object" && !Array.isArray(entry)
        ? sortKeys(entry as Record<string, unknown>)
        : entry;
  }
  return sorted;
}

/** The pipeline as `plan --format json` and the plan snapshot record it. */
export function describePipeline(plan: ExecutionPlan): PipelineDescription {
  const { id, title, description, source, extends: base, concurrency, continueOnFailure } = plan.pipeline;
  return {
    id,
    title,
    description,
    source,
    extends: base,
    concurrency,
    continue_on_failure: continueOnFailure,
  };
}

/** A pipeline as a plan snapshot records it; `source` says where it is defined. */
export interface PipelineDescription {
  id: string;
  title: string;
  description: string | null;
  source: string;
  extends: string[];
  concurrency: number | null;
  continue_on_failure: boolean;
}

// The original CLI's `pipeline.source`: its built-in pipelines were "default", configured ones "user".
function originalPipelineSource(definedIn: string): "user" | "default" {
  return definedIn === BUILT_IN_SOURCE ? "default" : "user";
}

/** What `plan --format json` prints for an execution plan. */
export function describePlan(root: string, plan: ExecutionPlan): PlanOutput {
  const waveOf = new Map<number, number>();
  plan.graph.waves.forEach((wave, position) => {
    for (const index of wave) waveOf.set(index, position + 1);
  });
  return {
    task_id: plan.taskId,
    pipeline: {
      id: plan.pipeline.id,
      title: plan.pipeline.title,
      description: plan.pipeline.description,
      source: originalPipelineSource(plan.pipeline.source),
      defined_in: plan.pipeline.source,
      extends: plan.pipeline.extends,
      concurrency: plan.pipeline.concurrency,
      continue_on_failure: plan.pipeline.continueOnFailure,
    },
    plan_hash: plan.planHash,
    stages: plan.items.map((item) => {
      const stage = item.stage;
      return {
        index: item.index,
        id: stage.id,
        title: stage.title,
        kind: stage.kind,
        guardrail: item.guardrail,
        origin: item.origin,
        command: stage.kind === "command" ? stage.command : null,
        cwd: stage.kind === "command" ? toRepoPath(root, item.cwd) || "." : null,
        env: stage.kind === "command" ? { ...(stage.env ?? {}) } : {},
        allow_failure: stage.kind === "command" ? (stage.allowFailure ?? false) : false,
        timeout_seconds: stage.kind === "command" ? (stage.timeoutSeconds ?? null) : null,
        retries: stage.kind === "command" ? (stage.retries ?? 0) : 0,
        pipeline: stage.kind === "subpipeline" ? stage.pipeline : null,
        task: stage.kind === "subpipeline" ? (stage.task ?? null) : null,
        optional: stage.kind === "subpipeline" ? (stage.optional ?? false) : false,
        instructions: stage.kind === "manual" ? (stage.instructions ?? null) : null,
        allowFailure: stage.kind === "command" ? (stage.allowFailure ?? false) : false,
        summaryHint: stage.kind === "command" ? (stage.summaryHint ?? null) : null,
        needs: item.needs,
        wave: waveOf.get(item.index) ?? 1,
      };
    }),
    waves: plan.graph.waves.map((wave) => idsOf(plan.pipeline.stages, wave)),
    guardrails: {
      present: plan.items.some((item) => item.guardrail),
      stages: plan.items.filter((item) => item.guardrail).map((item) => item.stage.id),
    },
    plan: {
      items: plan.items.map((item) => ({
        id: `${plan.pipeline.id}:${item.stage.id}`,
        description: item.stage.title,
        requires_cloud: false,
      })),
      ...(plan.pipeline.description ? { notes: plan.pipeline.description } : {}),
    },
  };
}

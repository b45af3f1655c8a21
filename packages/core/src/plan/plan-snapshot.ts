import path from "node:path";
import { readTextIfExists, toRepoPath, writeJsonAtomic } from "@codex/orchestrator-persistence";
import { Stage } from "@codex/orchestrator-schema";
import * as z from "zod";
import { describePipeline, type ExecutionPlan } from "./command-planner.js";
import { buildStageGraph, resolveNeeds } from "../engine/stage-graph.js";
import { redactStage } from "../record/value-redaction.js";
import { ConfigError } from "../errors.js";
import type { Redactor } from "../process/redaction.js";

const PlanSnapshot = z.object({
  version: z.literal(1),
  task_id: z.string(),
  plan_hash: z.string(),
  pipeline: z.object({
    id: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    source: z.string(),
    extends: z.array(z.string()),
    concurrency: z.int().min(1).nullable().optional(),
    continue_on_failure: z.boolean().optional(),
  }),
  items: z.array(
    z.object({
      index: z.int(),
      stage: Stage,
      origin: z.string(),
      guardrail: z.boolean(),
      cwd: z.string(),
      fileStem: z.string(),
      needs: z.array(z.string()).optional(),
    }),
  ),
});

/**
 * Keeps the plan a run started with (`pipeline.json` in the run folder), so resume replays that
 * plan rather than today's config, and approvals can be checked against it. Its stages' text and
 * secret env values are redacted; resume recovers them from a fresh plan with the same hash (see
 * RunSession.open).
 */
export function writePlanSnapshot(file: string, root: string, plan: ExecutionPlan, redactor: Redactor): void {
  const pipeline = describePipeline(plan);
  writeJsonAtomic(file, {
    version: 1,
    task_id: plan.taskId,
    plan_hash: plan.planHash,
    pipeline: { ...pipeline, title: redactor.redact(pipeline.title) },
    items: plan.items.map((item) => ({
      ...item,
      stage: redactStage(item.stage, redactor),
      cwd: toRepoPath(root, item.cwd) || ".",
    })),
  });
}

/** Reads a run's plan snapshot; a missing or corrupt one is a usage error naming the file. */
export function readPlanSnapshot(file: string, root: string): ExecutionPlan {
  const text = readTextIfExists(file, { followLinks: false });
  if (text === null) throw new ConfigError(`Plan snapshot missing: ${file}`);
  let parsed: z.infer<typeof PlanSnapshot>;
  try {
    parsed = PlanSnapshot.parse(JSON.parse(text));
  } catch (error) {
    throw new ConfigError(`Plan snapshot is corrupt: ${file}`, { cause: error });
  }
  const { concurrency, continue_on_failure: continueOnFailure, ...pipeline } = parsed.pipeline;
  // Snapshots from before the stage graph have no needs: each stage then needs the one before it.
  const needs = resolveNeeds(parsed.items.map((item) => item.stage));
  const items = parsed.items.map((item, position) => ({
    ...item,
    cwd: path.resolve(root, item.cwd),
    needs: item.needs ?? needs[position] ?? [],
  }));
  return {
    taskId: parsed.task_id,
    planHash: parsed.plan_hash,
    pipeline: {
      ...pipeline,
      stages: parsed.items.map((item) => ({ stage: item.stage, origin: item.origin, baseDirectory: root })),
      concurrency: concurrency ?? null,
      continueOnFailure: continueOnFailure ?? false,
    },
    items,
    graph: buildStageGraph(
      parsed.pipeline.id,
      items.map((item) => ({ index: item.index, stage: { ...item.stage, needs: item.needs }, origin: file })),
    ),
  };
}

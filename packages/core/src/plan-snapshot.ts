import path from "node:path";
import {
  readTextIfExists,
  toRepoPath,
  writeJsonAtomic,
  type TextTransform,
} from "@codex/orchestrator-persistence";
import { Stage } from "@codex/orchestrator-schema";
import * as z from "zod";
import { describePipeline, type ExecutionPlan } from "./command-planner.js";
import { ConfigError } from "./errors.js";

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
  }),
  items: z.array(
    z.object({
      index: z.int(),
      stage: Stage,
      origin: z.string(),
      guardrail: z.boolean(),
      cwd: z.string(),
      fileStem: z.string(),
    }),
  ),
});

/**
 * Keeps the plan a run started with (`pipeline.json` in the run folder), so resume replays that
 * plan rather than today's config, and approvals can be checked against it. `transform` redacts
 * secrets (config values, secret stage env); resume recovers them from a fresh plan with the same
 * hash (see RunSession.open).
 */
export function writePlanSnapshot(
  file: string,
  root: string,
  plan: ExecutionPlan,
  transform?: TextTransform,
): void {
  writeJsonAtomic(
    file,
    {
      version: 1,
      task_id: plan.taskId,
      plan_hash: plan.planHash,
      pipeline: describePipeline(plan),
      items: plan.items.map((item) => ({ ...item, cwd: toRepoPath(root, item.cwd) || "." })),
    },
    transform === undefined ? {} : { transform },
  );
}

/** Reads a run's plan snapshot; a missing or corrupt one is a usage error naming the file. */
export function readPlanSnapshot(file: string, root: string): ExecutionPlan {
  const text = readTextIfExists(file);
  if (text === null) throw new ConfigError(`Plan snapshot missing: ${file}`);
  let parsed: z.infer<typeof PlanSnapshot>;
  try {
    parsed = PlanSnapshot.parse(JSON.parse(text));
  } catch (error) {
    throw new ConfigError(`Plan snapshot is corrupt: ${file}`, { cause: error });
  }
  return {
    taskId: parsed.task_id,
    planHash: parsed.plan_hash,
    pipeline: {
      ...parsed.pipeline,
      stages: parsed.items.map((item) => ({ stage: item.stage, origin: item.origin, baseDirectory: root })),
    },
    items: parsed.items.map((item) => ({ ...item, cwd: path.resolve(root, item.cwd) })),
  };
}

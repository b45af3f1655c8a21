import { resolveLocations, validateId } from "@codex/orchestrator-persistence";
import { chooseRoot } from "./config/repository-root.js";
import type { PlanOutput } from "@codex/orchestrator-schema";
import { loadWorkspace } from "./config/workspace.js";
import { CommandPlanner, describePlan, type ExecutionPlan } from "./plan/command-planner.js";
import { defaultPipelineId } from "./config/pipeline-registry.js";
import { workspaceRedactor } from "./config/workspace-redactor.js";
import { redactPlanOutput } from "./plan/printed-plan.js";
import { resolveTaskId, type Workspace } from "./config/workspace-model.js";
import { describePlanCache } from "./cache/cache-plan.js";
import type { CacheStore } from "./cache/cache-store.js";
import { LocalCacheStore } from "./cache/local-cache-store.js";
import { stageCacheSpec } from "./cache/stage-cache-spec.js";

export { resolveExecutorSettings, type ExecutorSettings } from "./engine/executor-settings.js";
export type { Workspace } from "./config/workspace-model.js";
export type { CacheStore } from "./cache/cache-store.js";

/** A stage cache store that `plan` looks cached stages up in, and how to let go of it. */
export interface PlanCacheStore {
  store: CacheStore;
  close(): void;
}

/** Options for {@link planPipeline}. */
export interface PlanPipelineOptions {
  /** The repo root (default `CODEX_ORCHESTRATOR_ROOT`, else `cwd`). */
  root?: string;
  /** Environment for settings (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Working directory (default `process.cwd()`). */
  cwd?: string;
  /** The pipeline (default: the config's `defaultPipeline`, else diagnostics). */
  pipelineId?: string | undefined;
  /** The task id flag (default `MCP_RUNNER_TASK_ID`, the project folder, else 0101). */
  taskId?: string | undefined;
  /** Look cached stages up: key, would-hit, changes since the last entry (default true). */
  cache?: boolean | undefined;
  /**
   * The store the runs of this repository use, when it is not the local one under the runs
   * directory (the bullmq executor's shared store in Redis); null keeps the local one. Called only
   * when the plan has cached stages.
   */
  cacheStore?: ((workspace: Workspace) => Promise<PlanCacheStore | null>) | undefined;
}

/** Resolves the task id and plans a pipeline in an already loaded workspace. */
export function planInWorkspace(
  workspace: Workspace,
  options: {
    pipelineId?: string | undefined;
    taskFlag?: string | undefined;
    env: NodeJS.ProcessEnv;
    cwd: string;
  },
): ExecutionPlan {
  const { taskId, source } = resolveTaskId(workspace, {
    flag: options.taskFlag,
    env: options.env,
    cwd: options.cwd,
  });
  validateId(taskId, { kind: "task id", source });
  return new CommandPlanner(workspace).plan(
    taskId,
    options.pipelineId ?? defaultPipelineId(workspace, taskId),
  );
}

/**
 * What `CodexOrchestrator.plan()` returns, without loading the run engine (task manager, process
 * runner, run session): this is the path `codex-orchestrator plan` takes. It reads and validates
 * every config on each call and writes nothing.
 */
export async function planPipeline(
  options: PlanPipelineOptions = {},
): Promise<{ plan: ExecutionPlan; output: PlanOutput }> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const root = chooseRoot({ root: options.root, env, cwd });
  const locations = resolveLocations({ env, cwd, ...(root === undefined ? {} : { root }) });
  const workspace = loadWorkspace(locations.root);
  const plan = planInWorkspace(workspace, {
    pipelineId: options.pipelineId,
    taskFlag: options.taskId,
    env,
    cwd,
  });
  // What plan prints is redacted like what a run writes.
  const redactor = workspaceRedactor(workspace, env).withStageSecrets(plan.items.map((item) => item.stage));
  const output = redactPlanOutput(describePlan(locations.root, plan), redactor);
  if (options.cache === false) return { plan, output };
  const cached = plan.items.some((item) => stageCacheSpec(item.stage, item.guardrail).spec !== null);
  if (!cached) return { plan, output };
  const chosen = (await options.cacheStore?.(workspace)) ?? null;
  let cache: Awaited<ReturnType<typeof describePlanCache>>;
  try {
    cache = await describePlanCache({
      plan,
      locations,
      env,
      store: chosen?.store ?? new LocalCacheStore(locations.runsDir),
    });
  } finally {
    chosen?.close();
  }
  if (cache.size === 0) return { plan, output };
  return {
    plan,
    output: {
      ...output,
      stages: output.stages.map((stage) => {
        const described = cache.get(stage.index);
        return described === undefined ? stage : { ...stage, cache: described };
      }),
    },
  };
}

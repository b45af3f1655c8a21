import path from "node:path";
import type { CacheSettings, Pipeline, Stage } from "@codex/orchestrator-schema";
import { withCacheDefaults } from "../cache/stage-cache-spec.js";
import { builtinPipelines } from "./builtin-pipelines.js";
import { ConfigError, PipelineCycleError, UnknownPipelineError } from "../errors.js";
import { projectForTask, type Workspace } from "./workspace-model.js";

/** The `source` of the built-in pipelines. */
export const BUILT_IN_SOURCE = "built-in";

/** A stage with where it came from and the folder its relative `cwd` is based on. */
export interface ResolvedStage {
  stage: Stage;
  /** Human-readable origin: `built-in diagnostics`, `codex.orchestrator.json pipelines[0].after[0]`. */
  origin: string;
  /** Base folder for the stage's cwd (and its default cwd). */
  baseDirectory: string;
}

/** A pipeline with its `extends` chain flattened. */
export interface ResolvedPipeline {
  id: string;
  title: string;
  description: string | null;
  /** Where the pipeline is defined: `built-in`, `codex.orchestrator.json`, `packages/web/codex.orchestrator.json`. */
  source: string;
  /** The pipelines it extends, nearest first. */
  extends: string[];
  stages: ResolvedStage[];
  /** Its `concurrency` (null: not set), and whether branches run on after a failure. */
  concurrency: number | null;
  continueOnFailure: boolean;
}

interface PipelineSource {
  label: string;
  /** Folder that relative stage cwds resolve against. */
  baseDirectory: string;
  pipelines: readonly Pipeline[];
  /** Cache defaults of the config files, nearest first (the project's, then the root's). */
  cacheDefaults: readonly (CacheSettings | undefined)[];
}

/** The layers a task's pipelines come from, highest priority first. */
export function pipelineSources(workspace: Workspace, taskId: string): PipelineSource[] {
  const project = projectForTask(workspace, taskId);
  const sources: PipelineSource[] = [];
  if (project?.config) {
    sources.push({
      label: path.relative(workspace.root, project.config.file).split(path.sep).join("/"),
      baseDirectory: project.directory,
      pipelines: project.config.config.pipelines ?? [],
      cacheDefaults: [project.config.config.cache, workspace.config?.config.cache],
    });
  }
  if (workspace.config) {
    sources.push({
      label: "codex.orchestrator.json",
      baseDirectory: workspace.root,
      pipelines: workspace.config.config.pipelines ?? [],
      cacheDefaults: [workspace.config.config.cache],
    });
  }
  // Built-ins are repository-wide (the spec guard lives at the root); a project's own pipelines run in its folder.
  sources.push({
    label: BUILT_IN_SOURCE,
    baseDirectory: workspace.root,
    pipelines: builtinPipelines({ root: workspace.root }),
    cacheDefaults: [],
  });
  return sources;
}

/** Every pipeline id visible to a task, sorted. */
export function listPipelineIds(workspace: Workspace, taskId: string): string[] {
  const ids = new Set<string>();
  for (const source of pipelineSources(workspace, taskId))
    for (const pipeline of source.pipelines) ids.add(pipeline.id);
  return [...ids].sort();
}

/** The pipeline `start`/`plan` use when none is named: the task's config default, else `diagnostics`. */
export function defaultPipelineId(workspace: Workspace, taskId: string): string {
  const project = projectForTask(workspace, taskId);
  return project?.config?.config.defaultPipeline ?? workspace.config?.config.defaultPipeline ?? "diagnostics";
}

/**
 * Resolves a pipeline for a task: the project's own config wins over the root config, which wins
 * over the built-ins; `extends` is flattened (`before` + inherited + `after`). A pipeline may
 * extend one of the same id from a lower layer (to add a stage to the built-in diagnostics).
 */
export function resolvePipeline(workspace: Workspace, taskId: string, pipelineId: string): ResolvedPipeline {
  const sources = pipelineSources(workspace, taskId);
  return resolveFrom(sources, 0, pipelineId, [], workspace, taskId);
}

function resolveFrom(
  sources: PipelineSource[],
  startLevel: number,
  pipelineId: string,
  chain: string[],
  workspace: Workspace,
  taskId: string,
): ResolvedPipeline {
  for (let level = startLevel; level < sources.length; level += 1) {
    const source = sources[level] as PipelineSource;
    const pipelineIndex = source.pipelines.findIndex((pipeline) => pipeline.id === pipelineId);
    if (pipelineIndex === -1) continue;
    const pipeline = source.pipelines[pipelineIndex] as Pipeline;
    const key = `${source.label}:${pipeline.id}`;
    if (chain.includes(key))
      throw new PipelineCycleError(
        "extends",
        [...chain, key].map((entry) => entry.split(":").pop() as string),
      );
    const where =
      source.label === BUILT_IN_SOURCE
        ? `built-in ${pipeline.id}`
        : `${source.label} pipelines[${pipelineIndex}]`;
    const own = (stages: readonly Stage[] | undefined, list: string): ResolvedStage[] =>
      (stages ?? []).map((stage, index) => ({
        // Cache defaults are resolved here, where the stage's pipeline and config file are known,
        // so the plan (and the snapshot a resume replays) holds the stage's whole cache.
        stage: withCacheDefaults(stage, [pipeline.cache, ...source.cacheDefaults]),
        origin: source.label === BUILT_IN_SOURCE ? where : `${where}.${list}[${index}]`,
        baseDirectory: source.baseDirectory,
      }));
    if (pipeline.extends === undefined) {
      return {
        id: pipeline.id,
        title: pipeline.title ?? pipeline.id,
        description: pipeline.description ?? null,
        source: source.label,
        extends: [],
        stages: own(pipeline.stages, "stages"),
        concurrency: pipeline.concurrency ?? null,
        continueOnFailure: pipeline.continueOnFailure ?? false,
      };
    }
    const baseLevel = pipeline.extends === pipeline.id ? level + 1 : 0;
    const base = resolveFrom(sources, baseLevel, pipeline.extends, [...chain, key], workspace, taskId);
    const stages = [...own(pipeline.before, "before"), ...base.stages, ...own(pipeline.after, "after")];
    const seen = new Map<string, string>();
    for (const resolved of stages) {
      const previous = seen.get(resolved.stage.id);
      if (previous !== undefined) {
        throw new ConfigError(
          `${source.label}: pipeline "${pipeline.id}": duplicate stage id "${resolved.stage.id}" (${previous} and ${resolved.origin})`,
        );
      }
      seen.set(resolved.stage.id, resolved.origin);
    }
    return {
      id: pipeline.id,
      title: pipeline.title ?? base.title,
      description: pipeline.description ?? base.description,
      source: source.label,
      extends: [base.id, ...base.extends],
      stages,
      concurrency: pipeline.concurrency ?? base.concurrency,
      continueOnFailure: pipeline.continueOnFailure ?? base.continueOnFailure,
    };
  }
  const where =
    chain.length === 0
      ? ` for task ${taskId}`
      : ` (extended by ${chain[chain.length - 1]?.split(":").pop()})`;
  throw new UnknownPipelineError(pipelineId, listPipelineIds(workspace, taskId), where);
}

import fs from "node:fs";
import path from "node:path";
import { findTaskIdProblem, isInside } from "@codex/orchestrator-persistence";
import type { LoadedConfig } from "./config-loader.js";
import { OPTION } from "../option-names.js";
import { ConfigError, TaskRegistryError } from "../errors.js";
import { readTaskIndex, type TaskRecord } from "./task-index.js";

/** A project registered in the root config: a task id and its folder. */
export interface RegisteredProject {
  taskId: string;
  name: string | null;
  /** Absolute folder. */
  directory: string;
  /** Folder relative to the root, forward slashes (`.` for the root itself). */
  relativePath: string;
  /** The project's own `codex.orchestrator.json`, when it has one (not for the root project). */
  config: LoadedConfig | null;
}

/** Everything read from a repository before a run: configs, projects and tasks. */
export interface Workspace {
  root: string;
  config: LoadedConfig | null;
  projects: RegisteredProject[];
  tasks: Map<string, TaskRecord>;
}

/** The default task id when neither `--task` nor `MCP_RUNNER_TASK_ID` is set (docs/contract.md §2). */
export const DEFAULT_TASK_ID = "0101";

/**
 * Builds a workspace from the root config: checks each registered project, asks `loadProjectConfig`
 * for its own config (in order, so errors come in file order) and reads `tasks/index.json`. The
 * caller loads and validates each config (config-loader.ts).
 */
export function assembleWorkspace(
  root: string,
  config: LoadedConfig | null,
  loadProjectConfig: (directory: string) => LoadedConfig | null,
): Workspace {
  const projects: RegisteredProject[] = [];
  (config?.config.projects ?? []).forEach((project, index) => {
    const problem = findTaskIdProblem(project.taskId);
    if (problem !== null) {
      throw new ConfigError(
        `codex.orchestrator.json: projects[${index}].taskId: invalid task id (${problem})`,
      );
    }
    const directory = path.resolve(root, project.path);
    const relativePath = path.relative(root, directory).split(path.sep).join("/") || ".";
    if (relativePath.startsWith("..")) {
      throw new ConfigError(
        `codex.orchestrator.json: projects[${index}].path: "${project.path}" is outside the repository`,
      );
    }
    const linkedTo = linkedOutside(root, directory);
    if (linkedTo !== null) {
      throw new ConfigError(
        `codex.orchestrator.json: projects[${index}].path: "${project.path}" leads outside the repository through a symbolic link (to ${linkedTo})`,
      );
    }
    projects.push({
      taskId: project.taskId,
      name: project.name ?? null,
      directory,
      relativePath,
      config: relativePath === "." ? null : loadProjectConfig(directory),
    });
  });
  return { root, config, projects, tasks: readTaskIndex(root) };
}

/** Where `directory` really is when a symbolic link takes it out of `root`; null when it stays (or is absent). */
function linkedOutside(root: string, directory: string): string | null {
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return null;
  }
  // The deepest part that exists: a missing folder below a link still leads where the link does.
  for (let current = directory; ; current = path.dirname(current)) {
    try {
      const real = fs.realpathSync(current);
      return isInside(realRoot, real) ? null : real;
    } catch {
      if (path.dirname(current) === current) return null;
    }
  }
}

/** Where a task id came from, for messages. */
export interface ResolvedTaskId {
  taskId: string;
  source: string;
}

/**
 * Picks the task id: `--task`, else `MCP_RUNNER_TASK_ID`, else the registered project whose folder
 * holds `cwd` (the deepest), else `0101`. With a registry, an unregistered id is refused.
 */
export function resolveTaskId(
  workspace: Workspace,
  options: { flag?: string | undefined; env?: NodeJS.ProcessEnv; cwd?: string },
): ResolvedTaskId {
  const env = options.env ?? process.env;
  let resolved: ResolvedTaskId;
  if (options.flag !== undefined) resolved = { taskId: options.flag, source: OPTION.taskId };
  else if (env.MCP_RUNNER_TASK_ID !== undefined && env.MCP_RUNNER_TASK_ID !== "") {
    resolved = { taskId: env.MCP_RUNNER_TASK_ID, source: "MCP_RUNNER_TASK_ID" };
  } else {
    const project = findProjectForDirectory(workspace, options.cwd ?? process.cwd());
    resolved =
      project === null
        ? { taskId: DEFAULT_TASK_ID, source: "the default task id" }
        : { taskId: project.taskId, source: `the project folder ${project.relativePath}` };
  }
  assertTaskRegistered(workspace, resolved.taskId, resolved.source);
  return resolved;
}

/** The deepest registered project whose folder contains `directory`. */
export function findProjectForDirectory(workspace: Workspace, directory: string): RegisteredProject | null {
  let best: RegisteredProject | null = null;
  const target = path.resolve(directory);
  for (const project of workspace.projects) {
    const relative = path.relative(project.directory, target);
    const inside = relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
    if (inside && (best === null || project.directory.length > best.directory.length)) best = project;
  }
  return best;
}

/** Refuses a task id that the registry (when there is one) does not list. */
export function assertTaskRegistered(workspace: Workspace, taskId: string, source: string): void {
  if (workspace.projects.length === 0) return;
  if (workspace.projects.some((project) => project.taskId === taskId)) return;
  const known = workspace.projects.map((project) => `${project.taskId} (${project.relativePath})`).join(", ");
  throw new TaskRegistryError(
    `Task id "${taskId}" from ${source} is not registered in codex.orchestrator.json`,
    `Registered projects: ${known}.`,
  );
}

/** The registered project of a task, if any. */
export function projectForTask(workspace: Workspace, taskId: string): RegisteredProject | null {
  return workspace.projects.find((project) => project.taskId === taskId) ?? null;
}

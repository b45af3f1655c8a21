import { loadConfigFile } from "./config-loader.js";
import { assembleWorkspace, type Workspace } from "./workspace-model.js";

// The workspace model lives in workspace-model.ts, which knows nothing of how configs are read;
// this module adds the loader, which validates every config it reads.
export {
  DEFAULT_TASK_ID,
  assembleWorkspace,
  assertTaskRegistered,
  findProjectForDirectory,
  projectForTask,
  resolveTaskId,
} from "./workspace-model.js";
export type { RegisteredProject, ResolvedTaskId, Workspace } from "./workspace-model.js";

/** Reads the root config, each registered project's config and `tasks/index.json`. */
export function loadWorkspace(root: string): Workspace {
  return assembleWorkspace(root, loadConfigFile(root), (directory) => loadConfigFile(directory, root));
}

import { loadConfigFile } from "./config-loader.js";
import { assembleWorkspace, type Workspace } from "./workspace-model.js";

// The workspace model lives in workspace-model.ts, free of the schema library, so that `plan` can
// use it without loading zod (see docs/performance.md); this module adds the validating loader.
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

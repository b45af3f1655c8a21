import { Redactor } from "../process/redaction.js";
import type { Workspace } from "./workspace-model.js";

/**
 * The redactor the repository configures: secret-named environment variables (`redact.envPatterns`)
 * and `redact.values`. Runs and printed plans extend it with their stages' secret env values.
 */
export function workspaceRedactor(workspace: Workspace, env: NodeJS.ProcessEnv): Redactor {
  const redact = workspace.config?.config.redact;
  return Redactor.fromEnvironment({
    env,
    ...(redact?.envPatterns === undefined ? {} : { envPatterns: redact.envPatterns }),
    ...(redact?.values === undefined ? {} : { values: redact.values }),
  });
}

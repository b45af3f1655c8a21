import { CodexOrchestrator, type CodexOrchestratorOptions } from "../src/index.js";

/** `process.env` without the variables that would steer a run (task id, root, runs dir, parent run). */
export function cleanEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("CODEX_ORCHESTRATOR_") || key === "MCP_RUNNER_TASK_ID") continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** An orchestrator rooted at `root` with a clean environment and a short kill grace. */
export function createOrchestrator(
  root: string,
  options: Omit<CodexOrchestratorOptions, "root"> & { extraEnv?: NodeJS.ProcessEnv } = {},
): CodexOrchestrator {
  const { extraEnv, ...rest } = options;
  return new CodexOrchestrator({
    root,
    cwd: root,
    killGraceMs: 500,
    env: cleanEnvironment(extraEnv),
    ...rest,
  });
}

/** A `codex.orchestrator.json` body. */
export function configJson(config: unknown): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** A command stage. */
export function commandStage(id: string, command: string, extra: Record<string, unknown> = {}) {
  return { kind: "command", id, title: id, command, ...extra };
}

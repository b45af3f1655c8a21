import type { CommandStage } from "@codex/orchestrator-schema";
import type { Redactor } from "../../process/redaction.js";
import type { RunSession } from "../../record/run-session.js";

/** Variables every stage command sees: the task, the run, and where a nested `start` should write. */
export function runEnvironment(session: RunSession): Record<string, string> {
  return {
    MCP_RUNNER_TASK_ID: session.manifest.task_id,
    CODEX_ORCHESTRATOR_TASK_ID: session.manifest.task_id,
    CODEX_ORCHESTRATOR_RUN_ID: session.manifest.run_id,
    CODEX_ORCHESTRATOR_PARENT_RUN_ID: session.manifest.run_id,
    CODEX_ORCHESTRATOR_MANIFEST: session.paths.manifest,
    CODEX_ORCHESTRATOR_ROOT: session.locations.root,
    CODEX_ORCHESTRATOR_RUNS_DIR: session.locations.runsDir,
    CODEX_ORCHESTRATOR_OUT_DIR: session.locations.outDir,
  };
}

/** Stage env values whose names look secret join the run's secrets for this stage. */
export function stageRedactor(redactor: Redactor, stage: CommandStage): Redactor {
  if (stage.env === undefined) return redactor;
  const secrets = Object.entries(stage.env)
    .filter(([name]) => redactor.isSecretName(name))
    .map(([, value]) => value);
  return secrets.length === 0 ? redactor : redactor.extend(secrets);
}

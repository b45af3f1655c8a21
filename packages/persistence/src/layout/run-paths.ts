import path from "node:path";
import { validateId } from "./ids.js";

/** Where a repository's runs and state snapshots live. */
export interface OrchestratorLocations {
  /** The repo root: config, `tasks/index.json`, default stage cwd, base of relative paths. */
  root: string;
  /** The runs root (default `<root>/.runs`). */
  runsDir: string;
  /** The state snapshots root (default `<root>/out`). */
  outDir: string;
}

/** Options for {@link resolveLocations}. */
export interface ResolveLocationsOptions {
  /** Environment to read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Working directory for relative values (default `process.cwd()`). */
  cwd?: string;
  /** Explicit root, overriding `CODEX_ORCHESTRATOR_ROOT`. */
  root?: string;
}

/** Reads docs/contract.md §2's variables: `CODEX_ORCHESTRATOR_ROOT`, `…_RUNS_DIR`, `…_OUT_DIR`. */
export function resolveLocations(options: ResolveLocationsOptions = {}): OrchestratorLocations {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const root = path.resolve(cwd, options.root ?? nonEmpty(env.CODEX_ORCHESTRATOR_ROOT) ?? ".");
  const runsDir = path.resolve(root, nonEmpty(env.CODEX_ORCHESTRATOR_RUNS_DIR) ?? ".runs");
  const outDir = path.resolve(root, nonEmpty(env.CODEX_ORCHESTRATOR_OUT_DIR) ?? "out");
  return { root, runsDir, outDir };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** Every path of one run (docs/contract.md §3), absolute. */
export interface RunPaths {
  taskId: string;
  runId: string;
  taskDir: string;
  runDir: string;
  manifest: string;
  heartbeat: string;
  resumeTokenJson: string;
  resumeTokenText: string;
  runnerLog: string;
  commandsDir: string;
  errorsDir: string;
  runSummary: string;
  pipelineSnapshot: string;
  ownerLock: string;
  childrenDir: string;
  mcpDir: string;
  mcpPointer: string;
  localMcpDir: string;
  localMcpManifest: string;
  localMcpCompat: string;
  metrics: string;
  stateDir: string;
  state: string;
}

/** Builds a run's paths after validating both ids (`sources` name where each came from). */
export function resolveRunPaths(
  locations: OrchestratorLocations,
  ids: { taskId: string; runId: string },
  sources: { taskId?: string; runId?: string } = {},
): RunPaths {
  const taskId = validateId(ids.taskId, { kind: "task id", source: sources.taskId ?? "the task id" });
  const runId = validateId(ids.runId, { kind: "run id", source: sources.runId ?? "the run id" });
  const taskDir = path.join(locations.runsDir, taskId);
  const runDir = path.join(taskDir, "cli", runId);
  const mcpDir = path.join(taskDir, "mcp", runId);
  const localMcpDir = path.join(locations.runsDir, "local-mcp", runId);
  const stateDir = path.join(locations.outDir, taskId);
  return {
    taskId,
    runId,
    taskDir,
    runDir,
    manifest: path.join(runDir, "manifest.json"),
    heartbeat: path.join(runDir, ".heartbeat"),
    resumeTokenJson: path.join(runDir, "resume-token.json"),
    resumeTokenText: path.join(runDir, ".resume-token"),
    runnerLog: path.join(runDir, "runner.ndjson"),
    commandsDir: path.join(runDir, "commands"),
    errorsDir: path.join(runDir, "errors"),
    runSummary: path.join(runDir, "run-summary.json"),
    pipelineSnapshot: path.join(runDir, "pipeline.json"),
    ownerLock: path.join(runDir, ".owner.lock"),
    childrenDir: path.join(runDir, "children"),
    mcpDir,
    mcpPointer: path.join(mcpDir, "manifest.json"),
    localMcpDir,
    localMcpManifest: path.join(localMcpDir, "manifest.json"),
    localMcpCompat: path.join(localMcpDir, "compat.json"),
    metrics: path.join(taskDir, "metrics.json"),
    stateDir,
    state: path.join(stateDir, "state.json"),
  };
}

/** A path relative to the repo root with forward slashes, as manifests record paths. */
export function toRepoPath(root: string, absolutePath: string): string {
  return path.relative(root, absolutePath).split(path.sep).join("/");
}

// Running the built CLI in a scratch repository: `node apps/cli/dist/bin.js …` with the repository
// as cwd and CODEX_ORCHESTRATOR_ROOT, runs filed under task `bench`.
import fs from "node:fs";
import path from "node:path";
import { cli } from "./paths.mjs";
import { lastLines, timeOnce } from "./timing.mjs";

export const TASK_ID = "bench";

// The engine's default redaction patterns (docs/configuration.md): variables matching them are left
// out of the environment the bench passes on, so that only a scenario that sets secrets has any.
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|KEY/i;

/** The environment of an orchestrator process in `root`: no inherited secrets, then `extra`. */
export function orchestratorEnv(root, extra = {}) {
  // Nor GitHub Actions' variables: a bench run is not a step to annotate or summarise.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !SECRET_NAME.test(name) && name !== "GITHUB_ACTIONS" && name !== "GITHUB_STEP_SUMMARY",
    ),
  );
  return {
    ...inherited,
    NO_COLOR: "1",
    CODEX_ORCHESTRATOR_ROOT: root,
    MCP_RUNNER_TASK_ID: TASK_ID,
    ...extra,
  };
}

/** `start <pipeline>` arguments as the bench runs them: JSON output, gates approved, then `extraArgs`. */
export function startArgs(pipeline, extraArgs = []) {
  return ["start", pipeline, "--format", "json", "--approval-policy", "auto-approve", ...extraArgs];
}

/**
 * Runs the CLI with `args` in `root` and returns its wall time in ms; throws with its error if it
 * fails, naming the stages of a failed `start` and the last lines of their stderr.
 */
export function timeOrchestrator(root, args, options = {}) {
  try {
    return timeOnce(process.execPath, [...(options.nodeArgs ?? []), cli, ...args], {
      cwd: root,
      env: orchestratorEnv(root, options.env),
      expectStatus: options.expectStatus ?? 0,
      timeoutMs: options.timeoutMs,
      label: `codex-orchestrator ${args.join(" ")}`,
    });
  } catch (error) {
    const failed = args[0] === "start" ? failedStages(root) : "";
    if (failed !== "") error.message += ` (failed: ${failed})`;
    throw error;
  }
}

// The error files of the newest run's failed stages, as `<stage>: <last lines of its stderr>`.
function failedStages(root) {
  const runDir = latestRunDir(root);
  const errorsDir = runDir === null ? null : path.join(runDir, "errors");
  if (errorsDir === null || !fs.existsSync(errorsDir)) return "";
  return fs
    .readdirSync(errorsDir)
    .map((name) => {
      try {
        const record = JSON.parse(fs.readFileSync(path.join(errorsDir, name), "utf8"));
        return `${record.stage_id}: ${lastLines(record.details?.stderr, 6) || record.reason}`;
      } catch {
        return name;
      }
    })
    .join("; ");
}

/** Times `start <pipeline>` (see {@link startArgs}) in `root`. */
export function timeStart(root, pipeline, options = {}) {
  return timeOrchestrator(root, startArgs(pipeline, options.extraArgs), options);
}

/** The folder of the newest run of task `bench` in `root`, or null before one exists. */
export function latestRunDir(root) {
  const runsDir = path.join(root, ".runs", TASK_ID, "cli");
  let names;
  try {
    names = fs.readdirSync(runsDir);
  } catch {
    return null;
  }
  return names.length === 0 ? null : path.join(runsDir, names.sort()[names.length - 1]);
}

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
// test/ is not a workspace package, so the bare specifier does not resolve from here.
import { validatorsFor, type ArtifactName } from "../../packages/schema/src/index.js";
import { CLI_BIN, cliEnvironment, type CliResult } from "../helpers/cli.js";
import { tempRepo as createTempRepo } from "../helpers/repo.js";

/** A temp repo with `codex.orchestrator.json` (and any other files) written into it. */
export function tempRepo(config: unknown, files: Record<string, string> = {}): string {
  return createTempRepo(config, files, "codex-orchestrator-reliability-");
}

export { command, pipeline } from "../helpers/repo.js";
export { snapshotTree } from "../helpers/tree-snapshot.js";

/** A finished background CLI process. */
export interface Finished extends CliResult {
  pid: number;
}

/** Waits for a spawned CLI to exit and collects its output. */
export function collect(child: ChildProcess): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr, pid: child.pid ?? -1 }));
  });
}

/** Runs the built CLI asynchronously (so many can run at once), optionally through `bash -c`. */
export function runCliAsync(
  root: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; shellPrefix?: string } = {},
): Promise<Finished> {
  const env = cliEnvironment(root, options.env);
  const child =
    options.shellPrefix === undefined
      ? spawn(process.execPath, [CLI_BIN, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
      : spawn("bash", ["-c", `${options.shellPrefix}; exec "$0" "$@"`, process.execPath, CLI_BIN, ...args], {
          cwd: root,
          env,
          stdio: ["ignore", "pipe", "pipe"],
        });
  return collect(child);
}

/** Starts the CLI in the background; `finished` resolves with its output when it exits. */
export function spawnCliAsync(
  root: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): { process: ChildProcess; finished: Promise<Finished> } {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: root,
    env: cliEnvironment(root, options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { process: child, finished: collect(child) };
}

/** Polls until `condition` holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Whether a process is still running. A killed orphan stays a zombie until init reaps it, and
 * `kill(pid, 0)` succeeds on zombies, so a `Z` state in /proc counts as dead.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Every file under `directory` (relative paths, sorted), symlinks listed but not followed. */
export function listFiles(directory: string): string[] {
  const files: string[] = [];
  const walk = (current: string) => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(path.relative(directory, full));
    }
  };
  walk(directory);
  return files.sort();
}

/** One problem found in a run's artifacts. */
export interface ArtifactProblem {
  file: string;
  problem: string;
}

function checkJson(file: string, artifact: ArtifactName | null, problems: ArtifactProblem[]): unknown {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    problems.push({ file, problem: `does not parse: ${(error as Error).message}` });
    return undefined;
  }
  if (artifact !== null) {
    const result = validatorsFor(artifact).validate(value);
    if (!result.valid)
      problems.push({ file, problem: `fails the ${artifact} schema: ${JSON.stringify(result.errors[0])}` });
  }
  return value;
}

function checkNdjson(file: string, artifact: ArtifactName, problems: ArtifactProblem[]): number {
  const text = readFileSync(file, "utf8");
  if (text !== "" && !text.endsWith("\n"))
    problems.push({ file, problem: "last line is torn (no final newline)" });
  const lines = text.split("\n").filter((line) => line !== "");
  lines.forEach((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      problems.push({ file, problem: `line ${index + 1} does not parse: ${(error as Error).message}` });
      return;
    }
    const result = validatorsFor(artifact).validate(value);
    if (!result.valid)
      problems.push({
        file,
        problem: `line ${index + 1} fails the ${artifact} schema: ${JSON.stringify(result.errors[0])}`,
      });
  });
  return lines.length;
}

/**
 * Checks every JSON artifact a run may have left, whatever moment it was stopped at: manifest,
 * token, pointers, plan, error files, run summary, event logs (every line), the task's metrics
 * lines and state snapshot, lock files and the report page. Temp files of atomic writes (`.x.<pid>.<hex>.tmp`)
 * are invisible to readers and ignored. Returns the problems (none is the goal) and files checked.
 */
export function checkRunArtifacts(
  root: string,
  taskId: string,
  runId: string,
): { problems: ArtifactProblem[]; checked: number } {
  const problems: ArtifactProblem[] = [];
  let checked = 0;
  const runsDir = path.join(root, ".runs");
  const runDir = path.join(runsDir, taskId, "cli", runId);
  for (const relative of listFiles(runDir)) {
    const file = path.join(runDir, relative);
    const name = path.basename(relative);
    if (/^\..*\.tmp$/.test(name) || name.endsWith(".steal")) continue;
    checked += 1;
    if (relative === "manifest.json") checkJson(file, "manifest", problems);
    else if (relative === "resume-token.json") checkJson(file, "resume-token", problems);
    else if (relative === "run-summary.json") checkJson(file, "run-summary", problems);
    else if (relative === "runner.ndjson" || relative.startsWith(`commands${path.sep}`))
      checkNdjson(file, "run-event", problems);
    else if (name === ".heartbeat" || name === ".resume-token") {
      const text = readFileSync(file, "utf8");
      if (!text.endsWith("\n") || text.trim() === "") problems.push({ file, problem: "incomplete" });
      if (name === ".heartbeat" && Number.isNaN(Date.parse(text.trim())))
        problems.push({ file, problem: "not a timestamp" });
    } else if (relative === "report.html") {
      // Written whole when the run stops (temp file + rename): never a cut page.
      const text = readFileSync(file, "utf8");
      if (!text.startsWith("<!doctype html>") || !text.trimEnd().endsWith("</html>"))
        problems.push({ file, problem: "incomplete report page" });
    } else if (name.endsWith(".json") || name.endsWith(".lock")) checkJson(file, null, problems);
    else problems.push({ file, problem: "unexpected file" });
  }
  const pointer = path.join(runsDir, taskId, "mcp", runId, "manifest.json");
  if (existsSync(pointer)) {
    checked += 1;
    checkJson(pointer, "mcp-compat-pointer", problems);
  }
  const compat = path.join(runsDir, "local-mcp", runId, "compat.json");
  if (existsSync(compat)) {
    checked += 1;
    checkJson(compat, "local-compat", problems);
  }
  const local = path.join(runsDir, "local-mcp", runId, "manifest.json");
  if (existsSync(local)) {
    checked += 1;
    checkJson(local, lstatSync(local).isSymbolicLink() ? "manifest" : "local-manifest-stub", problems);
  }
  const metrics = path.join(runsDir, taskId, "metrics.json");
  if (existsSync(metrics)) {
    checked += 1;
    checkNdjson(metrics, "metrics-line", problems);
  }
  const state = path.join(root, "out", taskId, "state.json");
  if (existsSync(state) && statSync(state).isFile()) {
    checked += 1;
    checkJson(state, "state-snapshot", problems);
  }
  return { problems, checked };
}

/** Lines of stderr that look like a stack trace. */
export function stackLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => /^\s+at /.test(line) || /unexpected error/.test(line));
}

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI every end-to-end test runs (built by `pnpm test` before vitest starts). */
export const CLI_BIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../apps/cli/dist/bin.js",
);

/** Fails fast with a clear message when the CLI has not been built. */
export function assertCliBuilt(): void {
  if (!existsSync(CLI_BIN))
    throw new Error(`${CLI_BIN} is missing: run \`pnpm build\` first (pnpm test does).`);
}

// What the CI running the tests sets would change what the CLI prints (GitHub Actions groups, a job
// summary appended to the CI's own file, forced colours): tests set these themselves.
const OUTPUT_VARIABLES = new Set([
  "CI",
  "GITHUB_ACTIONS",
  "GITHUB_STEP_SUMMARY",
  "FORCE_COLOR",
  "TERM",
  "COLUMNS",
]);

/** A clean environment for the CLI: no inherited task/run or output variables, no colour. */
export function cliEnvironment(root: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      key.startsWith("CODEX_ORCHESTRATOR_") ||
      key === "MCP_RUNNER_TASK_ID" ||
      key.startsWith("VITEST") ||
      key === "NODE_OPTIONS" ||
      OUTPUT_VARIABLES.has(key)
    )
      continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: "1", CODEX_ORCHESTRATOR_ROOT: root, ...extra };
}

/** What a finished CLI invocation printed and returned. */
export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI synchronously in `root` (cwd and CODEX_ORCHESTRATOR_ROOT). */
export function runCli(
  root: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): CliResult {
  assertCliBuilt();
  const result = spawnSync(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd ?? root,
    env: cliEnvironment(root, options.env),
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
  });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI with `--format json` and parses stdout (which must be exactly one JSON document). */
export function runCliJson<T = Record<string, unknown>>(
  root: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): CliResult & { json: T } {
  const result = runCli(root, [...args, "--format", "json"], options);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not one JSON document (exit ${result.status}):\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
  return { ...result, json };
}

/** Starts the CLI in the background (for signals, concurrency and crash tests). */
export function spawnCli(
  root: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ChildProcess {
  assertCliBuilt();
  return spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd ?? root,
    env: cliEnvironment(root, options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Writes `codex.orchestrator.json` into `root`. */
export function configJson(config: unknown): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Reads and parses a JSON file relative to `root`. */
export function readJson<T = Record<string, unknown>>(root: string, relative: string): T {
  return JSON.parse(readFileSync(path.resolve(root, relative), "utf8")) as T;
}

/** Reads an NDJSON file relative to `root` into objects. */
export function readNdjson<T = Record<string, unknown>>(root: string, relative: string): T[] {
  return readFileSync(path.resolve(root, relative), "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as T);
}

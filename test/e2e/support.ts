import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
// The root package does not depend on @codex/orchestrator-schema (test/ is not a workspace package), so
// the bare specifier does not resolve from here; import the package's public entry point by path.
import {
  parseManifest,
  validatorsFor,
  type ArtifactName,
  type Manifest,
} from "../../packages/schema/src/index.js";
import { readJson, readNdjson, runCliJson } from "../helpers/cli.js";
import { tempRepo as createTempRepo } from "../helpers/repo.js";

/** What `start --format json` (and `resume --format json`) prints. */
export interface StartJson {
  run_id: string;
  task_id: string;
  pipeline_id: string;
  status: string;
  status_detail: string | null;
  artifact_root: string;
  manifest: string;
  log_path: string;
  exit_code: number;
}

/** One line of runner.ndjson / commands/*.ndjson. */
export interface EventLine {
  type: string;
  index: number | null;
  timestamp: string;
  [key: string]: unknown;
}

/** A temp repo with `codex.orchestrator.json` (and any other files) written into it. */
export function tempRepo(config: unknown, files: Record<string, string> = {}): string {
  return createTempRepo(config, files, "codex-orchestrator-e2e-");
}

export { command, pipeline } from "../helpers/repo.js";

/** Runs `start <pipeline> --format json` and returns the parsed output with the exit code. */
export function startJson(
  root: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): { status: number | null; json: StartJson; stderr: string } {
  const result = runCliJson<StartJson>(root, ["start", ...args], options);
  return { status: result.status, json: result.json, stderr: result.stderr };
}

/** Reads and schema-validates a run's manifest (path relative to the repo root). */
export function readManifest(root: string, manifestPath: string): Manifest {
  return parseManifest(readJson(root, manifestPath), { source: manifestPath });
}

/** Asserts `value` validates against the named artifact schema, with the problems in the message. */
export function expectArtifact(name: ArtifactName, value: unknown, where: string): void {
  const result = validatorsFor(name).validate(value);
  expect(result.errors, `${where} must be a valid ${name}`).toEqual([]);
}

/** Raw non-empty lines of a text file. */
export function readLines(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "");
}

/** Where a run's shared files live, for runs/out dirs other than the defaults. */
export interface RunLocations {
  runsDir?: string;
  outDir?: string;
}

/**
 * Checks every file docs/contract.md §3 lists for one finished (or paused) run: presence, agreement between
 * the files, and validation against the schema package. Returns the parsed manifest.
 */
export function expectCompleteRunArtifacts(
  root: string,
  manifestPath: string,
  locations: RunLocations = {},
): Manifest {
  const runsDir = locations.runsDir ?? path.join(root, ".runs");
  const outDir = locations.outDir ?? path.join(root, "out");
  const manifest = readManifest(root, manifestPath);
  const runId = manifest.run_id;
  const taskId = manifest.task_id;
  const runDir = path.join(runsDir, taskId, "cli", runId);
  expect(path.resolve(root, manifest.artifact_root)).toBe(runDir);
  expect(path.resolve(root, manifestPath)).toBe(path.join(runDir, "manifest.json"));
  expect(manifest.version).toBe(1);
  expect(manifest.runner).toBe("codex-cli");
  expect(manifest.heartbeat_interval_seconds).toBe(5);
  expect(manifest.heartbeat_stale_after_seconds).toBe(30);
  expect(runId).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f]{8}$/);

  // Heartbeat: ISO-8601 + newline.
  expect(readFileSync(path.join(runDir, ".heartbeat"), "utf8")).toMatch(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\n$/,
  );

  // Resume token in three places that agree.
  const token = readJson(runDir, "resume-token.json");
  expectArtifact("resume-token", token, "resume-token.json");
  expect(token).toMatchObject({ run_id: runId, token: manifest.resume_token });
  expect(readFileSync(path.join(runDir, ".resume-token"), "utf8")).toBe(`${manifest.resume_token}\n`);

  // Events: every line a RunEvent; every stage file's lines also in runner.ndjson.
  const runnerLines = readLines(path.resolve(root, manifest.log_path));
  expect(path.resolve(root, manifest.log_path)).toBe(path.join(runDir, "runner.ndjson"));
  for (const line of runnerLines) expectArtifact("run-event", JSON.parse(line), `runner.ndjson line ${line}`);
  // Each file carries its own hash chain (docs/evidence.md): the same events, a different `prev`.
  const withoutPrev = (line: string) => line.replace(/,"prev":"[0-9a-f]{64}"\}$/, "}");
  const runnerSet = new Set(runnerLines.map(withoutPrev));
  for (const entry of manifest.commands) {
    if (entry.kind !== "command") continue;
    expect(entry.log_path).toBe(
      path.relative(
        root,
        path.join(runDir, "commands", `${String(entry.index).padStart(2, "0")}-${slug(entry.id)}.ndjson`),
      ),
    );
    const stageFile = path.resolve(root, entry.log_path ?? "");
    if (entry.status === "pending") continue;
    for (const line of readLines(stageFile)) {
      expectArtifact("run-event", JSON.parse(line), `${entry.log_path} line`);
      expect(
        runnerSet.has(withoutPrev(line)),
        `${entry.log_path} line missing from runner.ndjson: ${line}`,
      ).toBe(true);
      expect((JSON.parse(line) as EventLine).index).toBe(entry.index);
    }
    if (entry.status === "failed") {
      expect(entry.error_file).toBe(
        path.relative(root, path.join(runDir, "errors", path.basename(stageFile, ".ndjson") + ".json")),
      );
      const details = readJson(root, entry.error_file ?? "");
      expect(details).toMatchObject({
        run_id: runId,
        stage_id: entry.id,
        index: entry.index,
        exit_code: entry.exit_code,
      });
    }
  }

  // run-summary.json.
  expect(manifest.run_summary_path).toBe(path.relative(root, path.join(runDir, "run-summary.json")));
  const summary = readJson(runDir, "run-summary.json");
  expectArtifact("run-summary", summary, "run-summary.json");
  expect(summary).toMatchObject({ run_id: runId, task_id: taskId, status: manifest.status });

  // Compatibility pointers.
  const pointerPath = path.join(runsDir, taskId, "mcp", runId, "manifest.json");
  expect(path.resolve(root, manifest.compat_path ?? "")).toBe(pointerPath);
  const pointer = readJson(pointerPath, "");
  expectArtifact("mcp-compat-pointer", pointer, "mcp pointer");
  expect(path.resolve(root, String(pointer.manifest))).toBe(path.join(runDir, "manifest.json"));
  expect(path.resolve(root, String(pointer.redirect_to))).toBe(runDir);
  const localDir = path.join(runsDir, "local-mcp", runId);
  const link = path.join(localDir, "manifest.json");
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(path.isAbsolute(readlinkSync(link))).toBe(false);
  expect(realpathSync(link)).toBe(realpathSync(path.join(runDir, "manifest.json")));
  const compat = readJson(localDir, "compat.json");
  expectArtifact("local-compat", compat, "local-mcp compat.json");
  expect(compat).toMatchObject({ pointer: "symlink" });
  expect(path.resolve(root, String(compat.manifest))).toBe(path.join(runDir, "manifest.json"));
  expect(path.resolve(root, String(compat.artifact_root))).toBe(runDir);

  // Metrics and state snapshot (terminal runs only).
  if (["succeeded", "failed", "cancelled"].includes(manifest.status)) {
    expect(manifest.metrics_recorded).toBe(true);
    const metrics = readNdjson(path.join(runsDir, taskId), "metrics.json");
    for (const line of metrics) expectArtifact("metrics-line", line, "metrics.json line");
    expect(metrics.some((line) => line.run_id === runId && line.status === manifest.status)).toBe(true);
    const state = readJson(path.join(outDir, taskId), "state.json");
    expectArtifact("state-snapshot", state, "state.json");
    expect(state.taskId).toBe(taskId);
    expect(
      (state.runs as { run_id: string; status: string }[]).find((run) => run.run_id === runId)?.status,
    ).toBe(manifest.status);
  }
  return manifest;
}

/** docs/contract.md §3 slug: runs of non-alphanumerics become `-`, trimmed, at most 80, `command` if empty. */
export function slug(text: string): string {
  const value = text
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
  return value === "" ? "command" : value;
}

/** Every manifest.json of every run under a runs dir. */
export function allManifests(runsDir: string): string[] {
  const found: string[] = [];
  if (!existsSync(runsDir)) return found;
  for (const task of readdirSync(runsDir)) {
    const cliDir = path.join(runsDir, task, "cli");
    if (!existsSync(cliDir)) continue;
    for (const run of readdirSync(cliDir)) found.push(path.join(cliDir, run, "manifest.json"));
  }
  return found;
}

/**
 * Asserts that no run was created under `<root>/.runs`: no run directory, metrics or pointer. (The
 * CLI may keep a cache folder there, which is not a run.)
 */
export function expectNoRuns(root: string): void {
  const runsDir = path.join(root, ".runs");
  const entries = existsSync(runsDir) ? readdirSync(runsDir).filter((name) => !name.startsWith(".")) : [];
  expect(entries, "nothing but caches under .runs").toEqual([]);
  expect(existsSync(path.join(root, "out"))).toBe(false);
}

/** Polls `check` until it returns a value other than undefined (generous deadline: shared CPUs). */
export async function waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = check();
      if (value !== undefined) return value;
    } catch {
      // Files may be mid-creation; try again.
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether a process id is alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

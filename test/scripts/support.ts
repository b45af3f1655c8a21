import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFiles } from "../helpers/temp-dir.js";
import { sampleManifest } from "../helpers/sample-manifest.js";

/** The repository's scripts/ directory (the scripts under test run from here, against temp roots). */
export const scriptsDir = fileURLToPath(new URL("../../scripts/", import.meta.url));

/** The path of one script under test: a name in scripts/, or an absolute path (e.g. a copy). */
export function scriptPath(name: string): string {
  return path.isAbsolute(name) ? name : path.join(scriptsDir, name);
}

/** A hermetic environment: no task, root, runs dir, guard or git settings leak in from the caller. */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(GIT_|CODEX_ORCHESTRATOR_|SPEC_GUARD_|MCP_RUNNER_)/.test(key)) continue;
    environment[key] = value;
  }
  // Scripts that re-exec node use $NODE, so they run on the same Node as the tests.
  environment.NODE = process.execPath;
  return { ...environment, ...extra };
}

/** Options for running a script. */
export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
}

/** Runs `bash <script> <args>` synchronously. */
export function runBash(script: string, args: string[], options: RunOptions): SpawnSyncReturns<string> {
  return spawnSync("bash", [scriptPath(script), ...args], {
    cwd: options.cwd,
    encoding: "utf8",
    env: cleanEnvironment(options.env),
  });
}

/** Runs `node <script> <args>` synchronously. */
export function runNode(script: string, args: string[], options: RunOptions): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [scriptPath(script), ...args], {
    cwd: options.cwd,
    encoding: "utf8",
    env: cleanEnvironment(options.env),
  });
}

/** One checklist item of a fixture. */
export interface Item {
  text: string;
  checked?: boolean;
  evidence?: string;
}

/** Renders checklist items as markdown lines. */
export function renderChecklist(items: Item[]): string {
  return items
    .map(
      (item) =>
        `- [${item.checked ? "x" : " "}] ${item.text}${item.evidence ? ` — Evidence: ${item.evidence}` : ""}`,
    )
    .join("\n");
}

/** The four mirror files of task 0101 in a fixture project. */
export const MIRRORS = {
  task: "tasks/0101-demo.md",
  tasks: "docs/TASKS.md",
  plan: "docs/ACTION_PLAN.md",
  agent: ".agent/task/0101-demo.md",
} as const;

/** Which mirror to override in a fixture. */
export type MirrorName = keyof typeof MIRRORS;

/** The default checklist of fixture projects. */
export const DEFAULT_ITEMS: Item[] = [{ text: "Schema package" }, { text: "Engine with telemetry" }];

/** Writes a task project (index, spec, four agreeing mirrors) for task 0101 under `root`. */
export function writeTaskProject(
  root: string,
  options: { items?: Item[]; lastReview?: string; mirrorItems?: Partial<Record<MirrorName, Item[]>> } = {},
): void {
  const items = options.items ?? DEFAULT_ITEMS;
  const lastReview = options.lastReview ?? "2026-11-20";
  const checklistOf = (name: MirrorName) => renderChecklist(options.mirrorItems?.[name] ?? items);
  writeFiles(root, {
    "tasks/index.json": `${JSON.stringify(
      {
        tasks: [
          {
            id: "0101",
            slug: "demo",
            title: "Demo task",
            spec: "tasks/specs/0101-demo.md",
            last_review: lastReview,
            path: ".",
          },
        ],
      },
      null,
      2,
    )}\n`,
    "tasks/specs/0101-demo.md": `---\nid: "0101"\nlast_review: ${lastReview}\n---\n\n# Demo\n`,
    [MIRRORS.task]: `# 0101 Demo\n\n${checklistOf("task")}\n`,
    [MIRRORS.tasks]: `# Tasks\n\n## 0099 Other task\n\n- [x] Unrelated item\n\n## 0101 — Demo\n\n${checklistOf("tasks")}\n\n## 0102 Later\n\n- [ ] Not ours\n`,
    [MIRRORS.plan]: `# Plan\n\n## Task 0101: Demo\n\n### Milestones\n\n${checklistOf("plan")}\n`,
    [MIRRORS.agent]: `# 0101 Demo\n\n${checklistOf("agent")}\n`,
  });
}

/** A manifest as the CLI writes it (docs/contract.md §3.1), with `overrides` applied. */
export function manifestFor(runId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const time = "2026-11-24T10:00:00.000Z";
  return {
    ...sampleManifest(runId, {
      task_slug: "demo",
      status: "succeeded",
      started_at: time,
      updated_at: time,
      completed_at: time,
      heartbeat_at: time,
      summary: "Pipeline diagnostics succeeded.\nGuardrails: spec-guard succeeded (1 passed).",
      metrics_recorded: true,
      resume_token: "token",
    }),
    ...overrides,
  };
}

/** Writes a manifest for `runId` of task 0101 under `<root>/.runs` and returns its repo-relative path. */
export function writeManifest(root: string, runId: string, manifest: unknown): string {
  const relative = `.runs/0101/cli/${runId}/manifest.json`;
  writeFiles(root, {
    [relative]: typeof manifest === "string" ? manifest : JSON.stringify(manifest, null, 2),
  });
  return relative;
}

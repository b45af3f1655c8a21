import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configJson, runCli, runCliJson } from "../helpers/cli.js";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";
import { command, pipeline, snapshotTree, stackLines } from "./support.js";

const GOOD = { defaultPipeline: "p", pipelines: [pipeline("p", [command("a", "echo a")])] };
const RUN_ID = "2025-01-01T00-00-00-000Z-00000001";
const RUN_DIR = `.runs/0101/cli/${RUN_ID}`;

interface BadInput {
  name: string;
  args: string[];
  /** Raw text of codex.orchestrator.json, or a value to serialize; GOOD when absent. */
  config?: unknown;
  files?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Start from a copy of a repo holding one real, failed run (RUN_ID). */
  withRun?: (root: string) => void;
  expected: string | RegExp;
}

const stage = (extra: Record<string, unknown>) => ({
  defaultPipeline: "p",
  pipelines: [pipeline("p", [{ kind: "command", id: "a", title: "A", command: "true", ...extra }])],
});
const pipelines = (...list: unknown[]) => ({ pipelines: list });
const idCases = (
  flag: "--task" | "MCP_RUNNER_TASK_ID" | "status" | "resume" | "approve",
  value: string,
  expected: string,
): BadInput => {
  if (flag === "--task")
    return { name: `--task ${JSON.stringify(value)}`, args: ["start", "--task", value], expected };
  if (flag === "MCP_RUNNER_TASK_ID")
    return {
      name: `MCP_RUNNER_TASK_ID ${JSON.stringify(value)}`,
      args: ["start"],
      env: { MCP_RUNNER_TASK_ID: value },
      expected,
    };
  return { name: `${flag} ${JSON.stringify(value)}`, args: [flag, value], expected };
};

const CASES: BadInput[] = [
  // Malformed JSON config: line and column.
  {
    name: "config: trailing comma",
    args: ["start"],
    config: '{\n  "defaultPipeline": "p",\n}\n',
    expected: "codex.orchestrator.json:3:1: invalid JSON",
  },
  {
    name: "config: unterminated",
    args: ["start"],
    config: '{"pipelines": [',
    expected: /codex\.orchestrator\.json:1:\d+: invalid JSON/,
  },
  {
    name: "config: single quotes",
    args: ["plan"],
    config: "{\n  'pipelines': []\n}",
    expected: "codex.orchestrator.json:2:3: invalid JSON",
  },
  {
    name: "config: empty file",
    args: ["start"],
    config: "",
    expected: /codex\.orchestrator\.json:1:1: invalid JSON/,
  },
  {
    name: "config: garbage bytes",
    args: ["start"],
    config: "\u0000\u0001garbage",
    expected: /codex\.orchestrator\.json:1:1: invalid JSON/,
  },
  // Wrong types: JSON path.
  {
    name: "config: pipelines not an array",
    args: ["start"],
    config: { pipelines: {} },
    expected: "codex.orchestrator.json: pipelines:",
  },
  {
    name: "config: stage command a number",
    args: ["start"],
    config: stage({ command: 42 }),
    expected: "codex.orchestrator.json: pipelines[0].stages[0].command:",
  },
  {
    name: "config: timeoutSeconds a string",
    args: ["start"],
    config: stage({ timeoutSeconds: "5" }),
    expected: "pipelines[0].stages[0].timeoutSeconds:",
  },
  {
    name: "config: negative timeout",
    args: ["start"],
    config: stage({ timeoutSeconds: -1 }),
    expected: "pipelines[0].stages[0].timeoutSeconds:",
  },
  {
    name: "config: retries 1.5",
    args: ["start"],
    config: stage({ retries: 1.5 }),
    expected: "pipelines[0].stages[0].retries:",
  },
  {
    name: "config: retries 99",
    args: ["start"],
    config: stage({ retries: 99 }),
    expected: "pipelines[0].stages[0].retries:",
  },
  {
    name: "config: env value a number",
    args: ["start"],
    config: stage({ env: { A: 1 } }),
    expected: "pipelines[0].stages[0].env.A:",
  },
  {
    name: "config: unknown stage field",
    args: ["start"],
    config: stage({ comand: "x" }),
    expected: "pipelines[0].stages[0]",
  },
  {
    name: "config: unknown top-level key",
    args: ["start"],
    config: { ...GOOD, pipeliness: [] },
    expected: "codex.orchestrator.json",
  },
  {
    name: "config: redact.values not strings",
    args: ["start"],
    config: { ...GOOD, redact: { values: [1] } },
    expected: "redact.values[0]:",
  },
  { name: "config: top level an array", args: ["start"], config: [], expected: "codex.orchestrator.json" },
  // Unknown stage kind, duplicate ids, bad stage ids, cycles.
  {
    name: "config: unknown stage kind",
    args: ["start"],
    config: stage({ kind: "docker" }),
    expected: 'unknown stage kind "docker"',
  },
  {
    name: "config: duplicate stage ids",
    args: ["start"],
    config: pipelines(pipeline("p", [command("a", "true"), command("a", "true")])),
    expected: 'duplicate stage id "a"',
  },
  {
    name: "config: duplicate pipeline ids",
    args: ["start", "p"],
    config: pipelines(pipeline("p", [command("a", "true")]), pipeline("p", [command("b", "true")])),
    expected: 'duplicate pipeline id "p"',
  },
  {
    name: "config: stage id with ..",
    args: ["start"],
    config: stage({ id: "../evil" }),
    expected: "pipelines[0].stages[0].id:",
  },
  {
    name: "config: stage id with slash",
    args: ["start"],
    config: stage({ id: "a/b" }),
    expected: "pipelines[0].stages[0].id:",
  },
  {
    name: "config: stage id leading dot",
    args: ["start"],
    config: stage({ id: ".hidden" }),
    expected: "pipelines[0].stages[0].id:",
  },
  {
    name: "config: stage id control char",
    args: ["start"],
    config: stage({ id: "a\u0007b" }),
    expected: "pipelines[0].stages[0].id:",
  },
  {
    name: "config: stage id with <>",
    args: ["start"],
    config: stage({ id: "a<b>" }),
    expected: "pipelines[0].stages[0].id:",
  },
  {
    name: "config: subpipeline cycle",
    args: ["start", "x"],
    config: pipelines(
      pipeline("x", [{ kind: "subpipeline", id: "to-y", title: "Y", pipeline: "y" }]),
      pipeline("y", [{ kind: "subpipeline", id: "to-x", title: "X", pipeline: "x" }]),
    ),
    expected: "Pipeline subpipeline cycle: x → y → x",
  },
  {
    name: "config: subpipeline self-cycle",
    args: ["start", "x"],
    config: pipelines(pipeline("x", [{ kind: "subpipeline", id: "me", title: "Me", pipeline: "x" }])),
    expected: "Pipeline subpipeline cycle: x → x",
  },
  {
    name: "config: extends cycle",
    args: ["start", "x"],
    config: pipelines(
      { id: "x", extends: "y", after: [command("a", "true")] },
      { id: "y", extends: "x", after: [command("b", "true")] },
    ),
    expected: /Pipeline extends cycle: (x → y → x|y → x → y)/,
  },
  { name: "config: unknown pipeline", args: ["start", "nope"], expected: 'Unknown pipeline "nope"' },
  {
    name: "config: defaultPipeline unknown",
    args: ["start"],
    config: { ...GOOD, defaultPipeline: "ghost" },
    expected: 'Unknown pipeline "ghost"',
  },
  // Projects registry.
  {
    name: "projects: not an array",
    args: ["start"],
    config: { ...GOOD, projects: "a" },
    expected: "projects:",
  },
  {
    name: "projects: path outside the repo",
    args: ["start"],
    config: { ...GOOD, projects: [{ taskId: "t1", path: "../elsewhere" }] },
    expected: "projects[0].path",
  },
  {
    name: "projects: invalid task id",
    args: ["start"],
    config: { ...GOOD, projects: [{ taskId: "../t", path: "." }] },
    expected: "projects[0].taskId",
  },
  {
    name: "projects: duplicate task id",
    args: ["start"],
    config: {
      ...GOOD,
      projects: [
        { taskId: "t1", path: "." },
        { taskId: "t1", path: "." },
      ],
    },
    expected: "projects[1].taskId",
  },
  {
    name: "projects: unregistered --task",
    args: ["start", "--task", "t9"],
    config: { ...GOOD, projects: [{ taskId: "t1", path: "." }] },
    expected: 'Task id "t9" from --task is not registered',
  },
  // tasks/index.json.
  {
    name: "tasks/index.json: malformed",
    args: ["start"],
    files: { "tasks/index.json": "{ not json" },
    expected: /tasks\/index\.json:1:\d+: invalid JSON/,
  },
  {
    name: "tasks/index.json: wrong shape",
    args: ["start"],
    files: { "tasks/index.json": '{"items": 5}' },
    expected: "tasks/index.json",
  },
  // Task ids from --task and MCP_RUNNER_TASK_ID.
  idCases("--task", "../x", 'Invalid task id "../x" from --task'),
  idCases("--task", "a/b", "it contains '/'"),
  idCases("--task", "a\\b", "it contains '\\'"),
  idCases("--task", "a..b", "it contains '..'"),
  idCases("--task", ".hidden", "it starts with '.'"),
  idCases("--task", "a\nb", "it contains a control character"),
  idCases("--task", "a\u001bb", "it contains a control character"),
  idCases("--task", "a<b", "it contains '<'"),
  idCases("--task", "a>b", "it contains '>'"),
  idCases("--task", "a:b", "it contains ':'"),
  idCases("--task", 'a"b', "it contains '\"'"),
  idCases("--task", "a|b", "it contains '|'"),
  idCases("--task", "a?b", "it contains '?'"),
  idCases("--task", "a*b", "it contains '*'"),
  idCases("--task", " padded ", "leading or trailing spaces"),
  idCases("--task", "x".repeat(201), "longer than 200 characters"),
  idCases("MCP_RUNNER_TASK_ID", "../../etc", "from MCP_RUNNER_TASK_ID: it starts with"),
  idCases("MCP_RUNNER_TASK_ID", "a/b", 'Invalid task id "a/b" from MCP_RUNNER_TASK_ID'),
  idCases("MCP_RUNNER_TASK_ID", "a\tb", "from MCP_RUNNER_TASK_ID: it contains a control character"),
  // Run ids for status, resume, approve.
  idCases("status", "../../etc/passwd", 'Invalid run id "../../etc/passwd" from the run-id argument'),
  idCases("status", "a/b", "it contains '/'"),
  idCases("resume", "..", "it starts with '.'"),
  idCases("resume", "x\u0001y", "it contains a control character"),
  idCases("approve", "a:b", "it contains ':'"),
  idCases("approve", "a*", "it contains '*'"),
  {
    name: "status --run traversal",
    args: ["status", "--run", "../x"],
    expected: 'Invalid run id "../x" from --run',
  },
  {
    name: "runs --task traversal",
    args: ["runs", "--task", "../x"],
    expected: 'Invalid task id "../x" from --task',
  },
  {
    name: "status unknown run",
    args: ["status", RUN_ID.replace("00000001", "00000002")],
    expected: "not found under",
  },
  // Flags and commands.
  { name: "unknown flag", args: ["start", "--bogus"], expected: "Unknown argument: --bogus" },
  {
    name: "unknown flag on status",
    args: ["status", RUN_ID, "--colour"],
    expected: "Unknown argument: --colour",
  },
  { name: "unknown command", args: ["frobnicate"], expected: "Unknown argument: frobnicate" },
  {
    name: "bad --format",
    args: ["status", RUN_ID, "--format", "xml"],
    expected: 'Argument: format, Given: "xml"',
  },
  { name: "bad --format on start", args: ["start", "--format=yaml"], expected: 'Given: "yaml"' },
  {
    name: "bad --interval 0",
    args: ["status", RUN_ID, "--watch", "--interval", "0"],
    expected: "--interval must be a positive number",
  },
  {
    name: "bad --interval text",
    args: ["status", RUN_ID, "--interval", "soon"],
    expected: "--interval must be a positive number",
  },
  {
    name: "bad --since",
    args: ["runs", "--since", "yesterday-ish"],
    expected: '--since: "yesterday-ish" is neither a date',
  },
  {
    name: "bad --limit negative",
    args: ["runs", "--limit", "-3"],
    expected: "--limit must be a positive whole number",
  },
  {
    name: "bad --limit text",
    args: ["runs", "--limit", "many"],
    expected: "--limit must be a positive whole number",
  },
  { name: "bad --status", args: ["runs", "--status", "weird"], expected: 'Argument: status, Given: "weird"' },
  {
    name: "malformed --approval-policy",
    args: ["start", "--approval-policy", "on request"],
    expected: 'Invalid approval policy "on request"',
  },
  ...["0", "-1", "1.5", "many", "", "1e3"].map((value): BadInput => ({
    name: `bad --concurrency ${JSON.stringify(value)}`,
    args: ["start", "--concurrency", value],
    expected: `--concurrency must be a positive whole number (got ${JSON.stringify(value)})`,
  })),
  { name: "--concurrency without a value", args: ["start", "--concurrency"], expected: "--concurrency" },
  {
    name: "--concurrency twice",
    args: ["start", "--concurrency", "2", "--concurrency", "3"],
    expected: "--concurrency given more than once",
  },
  {
    // A real failed run that resume would take up: refused before anything is touched.
    name: "resume: bad --concurrency",
    args: ["resume", RUN_ID, "--concurrency", "0", "--continue"],
    withRun: () => {},
    expected: '--concurrency must be a positive whole number (got "0")',
  },
  { name: "missing run id", args: ["resume"], expected: "Missing run id" },
  // Missing or corrupt manifests.
  {
    name: "status: truncated manifest",
    args: ["status", RUN_ID],
    withRun: (root) => truncate(root, `${RUN_DIR}/manifest.json`),
    expected: /Manifest is corrupt: .*manifest\.json:\d+:\d+: invalid JSON/,
  },
  {
    name: "resume: truncated manifest",
    args: ["resume", RUN_ID],
    withRun: (root) => truncate(root, `${RUN_DIR}/manifest.json`),
    expected: /Manifest is corrupt: .*manifest\.json:\d+:\d+: invalid JSON/,
  },
  {
    name: "approve: truncated manifest",
    args: ["approve", RUN_ID, "--stage", "a", "--actor", "me"],
    withRun: (root) => truncate(root, `${RUN_DIR}/manifest.json`),
    expected: "Manifest is corrupt",
  },
  {
    name: "status: manifest fails the schema",
    args: ["status", RUN_ID],
    withRun: (root) =>
      writeFileSync(path.join(root, RUN_DIR, "manifest.json"), '{"version": 1, "run_id": 5}\n'),
    expected: /manifest/i,
  },
  {
    name: "resume: manifest status wrong type",
    args: ["resume", RUN_ID],
    withRun: (root) => editManifest(root, (manifest) => ({ ...manifest, status: "exploded" })),
    expected: "status",
  },
  {
    name: "resume: plan snapshot corrupt",
    args: ["resume", RUN_ID],
    withRun: (root) => truncate(root, `${RUN_DIR}/pipeline.json`),
    expected: "Plan snapshot is corrupt",
  },
  {
    name: "runs: an unreadable manifest does not stop the listing but --limit 0 does",
    args: ["runs", "--limit", "0"],
    expected: "--limit must be a positive whole number",
  },
];

function truncate(root: string, relative: string): void {
  const file = path.join(root, relative);
  const text = readFileSync(file, "utf8");
  writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
}

function editManifest(
  root: string,
  change: (manifest: Record<string, unknown>) => Record<string, unknown>,
): void {
  const file = path.join(root, RUN_DIR, "manifest.json");
  writeFileSync(
    file,
    `${JSON.stringify(change(JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>), null, 2)}\n`,
  );
}

let template = "";

describe("bad input: exit 2, one line, no stack trace, nothing written", () => {
  beforeAll(() => {
    // One real failed run, renamed to a fixed id, copied into the repos that need a run.
    template = mkdtempSync(path.join(os.tmpdir(), "codex-orchestrator-template-"));
    writeFiles(template, {
      "codex.orchestrator.json": configJson({
        defaultPipeline: "p",
        pipelines: [pipeline("p", [command("a", "exit 1")])],
      }),
    });
    const run = runCliJson<{ run_id: string }>(template, ["start"]);
    expect(run.status).toBe(1);
    const real = run.json.run_id;
    const replaceId = (relative: string) => {
      const file = path.join(template, relative.replace(RUN_ID, real));
      const target = path.join(template, relative);
      const text = readFileSync(file, "utf8").split(real).join(RUN_ID);
      writeFiles(template, { [relative]: text });
      if (file !== target) writeFileSync(file, text);
    };
    cpSync(path.join(template, `.runs/0101/cli/${real}`), path.join(template, RUN_DIR), { recursive: true });
    for (const file of ["manifest.json", "resume-token.json", "pipeline.json"])
      replaceId(`${RUN_DIR}/${file}`);
  });
  afterAll(() => {
    rmSync(template, { recursive: true, force: true });
  });

  it(`has at least 50 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(CASES.map((entry) => [entry.name, entry] as const))("%s", (_name, entry) => {
    const root = tempDir("codex-orchestrator-bad-input-");
    if (entry.withRun !== undefined) {
      cpSync(template, root, { recursive: true });
      entry.withRun(root);
    }
    const config = entry.config === undefined ? GOOD : entry.config;
    writeFiles(root, {
      "codex.orchestrator.json": typeof config === "string" ? config : configJson(config),
      ...entry.files,
    });
    const before = snapshotTree(root);
    const result = runCli(root, entry.args, { env: entry.env ?? {} });
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 2 });
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    expect(stackLines(result.stderr)).toEqual([]);
    expect(result.stdout).toBe("");
    if (typeof entry.expected === "string") expect(lines[0]).toContain(entry.expected);
    else expect(lines[0]).toMatch(entry.expected);
    expect(snapshotTree(root)).toEqual(before);
  });

  it("nothing parses NDJSON on the read side: a truncated runner.ndjson and metrics.json do not stop status or resume", () => {
    const root = tempDir("codex-orchestrator-bad-input-");
    cpSync(template, root, { recursive: true });
    truncate(root, `${RUN_DIR}/runner.ndjson`);
    truncate(root, ".runs/0101/metrics.json");
    const status = runCliJson<{ status: string }>(root, ["status", RUN_ID]);
    expect(status.status).toBe(0);
    expect(status.json.status).toBe("failed");
    expect(runCli(root, ["runs"]).status).toBe(0);
  });
});

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliJson } from "../helpers/cli.js";
import { runBash, runNode } from "../scripts/support.js";
import {
  command,
  expectArtifact,
  expectCompleteRunArtifacts,
  pipeline,
  readManifest,
  startJson,
  tempRepo,
  type StartJson,
} from "./support.js";

interface RunRow {
  run_id: string;
  task_id: string;
  pipeline_id: string;
  parent_run_id: string | null;
  status: string;
  duration_seconds: number | null;
  guardrails: string;
  approvals: number;
  manifest: string;
}

const RUNS_CONFIG = {
  pipelines: [
    pipeline("ok", [command("one", "true")]),
    pipeline("bad", [command("boom", "exit 1")]),
    pipeline("nest", [{ kind: "subpipeline", id: "kid", title: "Kid", pipeline: "ok" }]),
  ],
};

describe("runs: the run index", () => {
  it("lists runs across tasks newest first, with filters, in JSON and text", () => {
    const root = tempRepo(RUNS_CONFIG);
    const a = startJson(root, ["ok", "--task", "0001"]).json;
    const b = startJson(root, ["bad", "--task", "0002"]).json;
    const c = startJson(root, ["bad", "--task", "0001"]).json;
    const nest = startJson(root, ["nest", "--task", "0003"]).json;
    const child = readManifest(root, nest.manifest).child_runs[0]?.run_id ?? "";
    const list = (...args: string[]) => runCliJson<RunRow[]>(root, ["runs", ...args]);

    const all = list("--all");

    expect(all.status).toBe(0);
    expect(all.stdout).toBe(`${JSON.stringify(all.json, null, 2)}\n`);
    for (const row of all.json) expectArtifact("run-list-entry", row, "runs row");
    // The child started after its parent, so it is newer; without --all only the runs started by hand.
    expect(all.json.map((row) => row.run_id)).toEqual([child, nest.run_id, c.run_id, b.run_id, a.run_id]);
    expect(list().json.map((row) => row.run_id)).toEqual([nest.run_id, c.run_id, b.run_id, a.run_id]);
    expect(all.json.find((row) => row.run_id === b.run_id)).toMatchObject({
      task_id: "0002",
      pipeline_id: "bad",
      status: "failed",
      approvals: 0,
      guardrails: expect.stringContaining("Guardrails:"),
      manifest: b.manifest,
      parent_run_id: null,
    });
    expect(all.json.every((row) => typeof row.duration_seconds === "number")).toBe(true);

    expect(list("--task", "0001").json.map((row) => row.run_id)).toEqual([c.run_id, a.run_id]);
    expect(list("--status", "failed").json.map((row) => row.run_id)).toEqual([c.run_id, b.run_id]);
    expect(list("--pipeline", "ok").json.map((row) => row.run_id)).toEqual([a.run_id]);
    expect(list("--pipeline", "ok", "--all").json.map((row) => row.run_id)).toEqual([child, a.run_id]);
    expect(list("--parent", nest.run_id).json.map((row) => row.run_id)).toEqual([child]);
    expect(list("--limit", "2").json.map((row) => row.run_id)).toEqual([nest.run_id, c.run_id]);
    expect(list("--limit", "2", "--all").json.map((row) => row.run_id)).toEqual([child, nest.run_id]);
    expect(list("--task=0001", "--status=succeeded").json.map((row) => row.run_id)).toEqual([a.run_id]);
    expect(list("--since", "1h", "--all").json).toHaveLength(5);
    expect(list("--since", "90m").json).toHaveLength(4);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(list("--since", yesterday, "--all").json).toHaveLength(5);
    expect(list("--since", "2999-01-01").json).toEqual([]);

    const text = runCli(root, ["runs", "--task", "0001"]);
    expect(text.status).toBe(0);
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/RUN ID\s+TASK\s+PIPELINE\s+STATUS/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([c.run_id, a.run_id]);
    expect(lines[1]).toMatch(/failed/);
  });

  it("refuses a bad --since or --status (exit 2)", () => {
    const root = tempRepo(RUNS_CONFIG);

    expect(runCli(root, ["runs", "--since", "yesterday-ish"]).status).toBe(2);
    expect(runCli(root, ["runs", "--status", "exploded"]).status).toBe(2);
  });

  it("prints an empty list when nothing ran yet", () => {
    const root = tempRepo(RUNS_CONFIG);

    const result = runCliJson<RunRow[]>(root, ["runs"]);

    expect(result.status).toBe(0);
    expect(result.json).toEqual([]);
  });
});

const REGISTRY_CONFIG = {
  projects: [
    { taskId: "0301", path: "packages/alpha" },
    { taskId: "0302", path: "packages/beta" },
  ],
  pipelines: [pipeline("root-check", [command("where", "pwd > where-root.txt")])],
};

const ALPHA_CONFIG = {
  pipelines: [pipeline("smoke", [command("where", 'echo "$(pwd) $MCP_RUNNER_TASK_ID" > where.txt')])],
};

function registryRepo(): string {
  const root = tempRepo(REGISTRY_CONFIG, {
    "packages/alpha/codex.orchestrator.json": `${JSON.stringify(ALPHA_CONFIG)}\n`,
    "packages/beta/README.md": "beta\n",
  });
  mkdirSync(path.join(root, "packages/alpha/src/deep"), { recursive: true });
  return root;
}

describe("task registry and per-project pipelines", () => {
  it("refuses a task id that no project registered (exit 2)", () => {
    const root = registryRepo();

    const byFlag = runCli(root, ["start", "root-check", "--task", "9999"]);
    const byDefault = runCli(root, ["start", "root-check"]);

    expect(byFlag.status).toBe(2);
    expect(byFlag.stderr).toContain("9999");
    expect(byFlag.stderr).toMatch(/not registered/);
    expect(byDefault.status).toBe(2);
    expect(runCli(root, ["start", "root-check", "--task", "0302"]).status).toBe(0);
  });

  it("refuses two projects claiming one task id", () => {
    const root = tempRepo({
      projects: [
        { taskId: "0301", path: "packages/alpha" },
        { taskId: "0301", path: "packages/beta" },
      ],
    });

    const result = runCli(root, ["plan", "diagnostics", "--task", "0301"]);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("projects[1].taskId");
  });

  it("picks the task id of the project folder it runs in, and runs that project's pipeline in its folder", () => {
    const root = registryRepo();

    const result = startJson(root, ["smoke"], { cwd: path.join(root, "packages/alpha/src/deep") });

    expect(result.status).toBe(0);
    expect(result.json.task_id).toBe("0301");
    expect(result.json.manifest).toBe(`.runs/0301/cli/${result.json.run_id}/manifest.json`);
    const manifest = expectCompleteRunArtifacts(root, result.json.manifest);
    expect(manifest.pipeline_id).toBe("smoke");
    const where = runCli(root, ["status", result.json.run_id]);
    expect(where.status).toBe(0);
    // The stage ran in the project folder, with the project's task id exported.
    expect(readFile(root, "packages/alpha/where.txt")).toBe(`${path.join(root, "packages/alpha")} 0301\n`);
  });

  it("plan shows where each pipeline came from", () => {
    const root = registryRepo();

    const projectPlan = runCliJson<{
      pipeline: { source: string; defined_in: string };
      stages: { cwd: string; origin: string }[];
    }>(root, ["plan", "smoke", "--task", "0301"]);
    const rootPlan = runCliJson<{ pipeline: { source: string; defined_in: string } }>(root, [
      "plan",
      "root-check",
      "--task",
      "0301",
    ]);
    const builtIn = runCliJson<{ pipeline: { source: string; defined_in: string } }>(root, [
      "plan",
      "diagnostics",
      "--task",
      "0302",
    ]);
    const text = runCli(root, ["plan", "smoke", "--task", "0301"]);

    expect(projectPlan.json.pipeline).toMatchObject({
      source: "user",
      defined_in: "packages/alpha/codex.orchestrator.json",
    });
    expect(projectPlan.json.stages[0]).toMatchObject({
      cwd: "packages/alpha",
      origin: "packages/alpha/codex.orchestrator.json pipelines[0].stages[0]",
    });
    expect(rootPlan.json.pipeline).toMatchObject({ source: "user", defined_in: "codex.orchestrator.json" });
    expect(builtIn.json.pipeline).toMatchObject({ source: "default", defined_in: "built-in" });
    expect(text.stdout).toContain("packages/alpha/codex.orchestrator.json");
    // Another project does not see alpha's pipelines.
    const beta = runCli(root, ["plan", "smoke", "--task", "0302"]);
    expect(beta.status).toBe(2);
  });

  it("a subpipeline stage with `task` runs another project's pipeline in that project's folder", () => {
    const root = registryRepo();
    const config = {
      ...REGISTRY_CONFIG,
      pipelines: [
        pipeline("cross", [
          { kind: "subpipeline", id: "alpha-smoke", title: "Alpha", pipeline: "smoke", task: "0301" },
        ]),
      ],
    };
    writeConfig(root, config);

    const result = startJson(root, ["cross", "--task", "0302"]);

    expect(result.status, result.stderr).toBe(0);
    const parent = expectCompleteRunArtifacts(root, result.json.manifest);
    expect(parent.child_runs).toEqual([
      expect.objectContaining({ task_id: "0301", pipeline_id: "smoke", status: "succeeded" }),
    ]);
    expect(readFile(root, "packages/alpha/where.txt")).toBe(`${path.join(root, "packages/alpha")} 0301\n`);
  });
});

describe("scripts against the real CLI", () => {
  function scriptEnvironment(root: string, extra: Record<string, string> = {}): Record<string, string> {
    return { CODEX_ORCHESTRATOR_ROOT: root, NO_COLOR: "1", ...extra };
  }

  it("agents_mcp_runner.mjs start/poll/status run the CLI with MCP_RUNNER_TASK_ID passed through", () => {
    const root = tempRepo(RUNS_CONFIG);

    const started = runNode("agents_mcp_runner.mjs", ["start", "ok", "--format", "json"], {
      cwd: root,
      env: scriptEnvironment(root, { MCP_RUNNER_TASK_ID: "0404" }),
    });
    const failed = runNode("agents_mcp_runner.mjs", ["start", "bad"], {
      cwd: root,
      env: scriptEnvironment(root, { MCP_RUNNER_TASK_ID: "0404" }),
    });

    expect(started.status, started.stderr).toBe(0);
    const out = JSON.parse(started.stdout) as StartJson;
    expect(out).toMatchObject({ task_id: "0404", status: "succeeded" });
    expect(out.manifest).toBe(`.runs/0404/cli/${out.run_id}/manifest.json`);
    expectCompleteRunArtifacts(root, out.manifest);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/^Run started: /);

    const poll = runNode("agents_mcp_runner.mjs", ["poll", out.run_id, "--format", "json"], {
      cwd: root,
      env: scriptEnvironment(root),
    });
    expect(poll.status).toBe(0);
    expect(JSON.parse(poll.stdout)).toMatchObject({
      run_id: out.run_id,
      status: "succeeded",
      task_id: "0404",
    });
  });

  it("agents_mcp_runner.mjs resume continues a failed run", () => {
    const root = tempRepo({ pipelines: [pipeline("fix", [command("check", "test -f fixed.marker")])] });
    const first = startJson(root, ["fix"]);
    writeFile(root, "fixed.marker", "");

    const resumed = runNode("agents_mcp_runner.mjs", ["resume", first.json.run_id, "--format", "json"], {
      cwd: root,
      env: scriptEnvironment(root),
    });

    expect(resumed.status, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ run_id: first.json.run_id, status: "succeeded" });
  });

  it("mcp-runner-poll.sh <id> shows the run's status (text and JSON), exit code following the CLI", () => {
    const root = tempRepo(RUNS_CONFIG);
    const ok = startJson(root, ["ok"]).json;

    const json = runBash("mcp-runner-poll.sh", [ok.run_id, "--format", "json"], {
      cwd: root,
      env: scriptEnvironment(root),
    });
    const text = runBash("mcp-runner-poll.sh", [ok.run_id], { cwd: root, env: scriptEnvironment(root) });
    const watch = runBash(
      "mcp-runner-poll.sh",
      [ok.run_id, "--watch", "--interval", "1", "--format", "json"],
      {
        cwd: root,
        env: scriptEnvironment(root),
      },
    );
    const missing = runBash("mcp-runner-poll.sh", ["2020-01-01T00-00-00-000Z-00000000"], {
      cwd: root,
      env: scriptEnvironment(root),
    });

    expect(json.status, json.stderr).toBe(0);
    expectArtifact("status-output", JSON.parse(json.stdout), "poll --format json");
    expect(JSON.parse(json.stdout)).toMatchObject({ run_id: ok.run_id, status: "succeeded" });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(ok.run_id);
    expect(watch.status).toBe(0);
    expect(JSON.parse(watch.stdout.trim())).toMatchObject({ status: "succeeded" });
    expect(missing.status).toBe(2);
  });

  it("review.mjs prints the latest run of the task, its guardrail line and manifest path", () => {
    const root = tempRepo(
      {
        pipelines: [
          pipeline("guarded", [command("spec-guard", "bash scripts/spec-guard.sh --dry-run")]),
          pipeline("ok", [command("one", "true")]),
        ],
      },
      { "scripts/spec-guard.sh": "echo guard ok\n" },
    );
    const older = startJson(root, ["guarded", "--task", "0505"]).json;
    const other = startJson(root, ["ok", "--task", "0606"]).json;

    const forTask = runNode("review.mjs", [], {
      cwd: root,
      env: scriptEnvironment(root, { MCP_RUNNER_TASK_ID: "0505" }),
    });
    const anyTask = runNode("review.mjs", [], { cwd: root, env: scriptEnvironment(root) });

    expect(forTask.status, forTask.stderr).toBe(0);
    expect(forTask.stdout).toContain(older.run_id);
    expect(forTask.stdout).toContain("Guardrails: spec-guard succeeded (1 passed).");
    expect(forTask.stdout).toContain(`Manifest: ${older.manifest}`);
    expect(anyTask.status).toBe(0);
    expect(anyTask.stdout).toContain(`Manifest: ${other.manifest}`);
  });

  it("review.mjs exits with the CLI's code when there is no run", () => {
    const root = tempRepo(RUNS_CONFIG);

    const result = runNode("review.mjs", [], {
      cwd: root,
      env: scriptEnvironment(root, { MCP_RUNNER_TASK_ID: "0505" }),
    });

    expect(result.status).not.toBe(0);
  });
});

function readFile(root: string, relative: string): string {
  return readFileSync(path.join(root, relative), "utf8");
}

function writeFile(root: string, relative: string, content: string): void {
  writeFileSync(path.join(root, relative), content);
}

function writeConfig(root: string, config: unknown): void {
  writeFile(root, "codex.orchestrator.json", `${JSON.stringify(config, null, 2)}\n`);
}

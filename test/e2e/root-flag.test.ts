import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assertCliBuilt, CLI_BIN, cliEnvironment, readJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { snapshotTree } from "../helpers/tree-snapshot.js";
import { command, pipeline, tempRepo, type StartJson } from "./support.js";

// The built CLI in `cwd`, with CODEX_ORCHESTRATOR_ROOT only when a test sets it: the root comes
// from --root, the variable or discovery, never from the helpers' default.
function cli(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  assertCliBuilt();
  const environment = cliEnvironment(cwd, env);
  if (env.CODEX_ORCHESTRATOR_ROOT === undefined) delete environment.CODEX_ORCHESTRATOR_ROOT;
  const result = spawnSync(process.execPath, [CLI_BIN, ...args], {
    cwd,
    env: environment,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function json<T = Record<string, unknown>>(result: { stdout: string; stderr: string }): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

const CONFIG = {
  defaultPipeline: "hello",
  pipelines: [pipeline("hello", [command("greet", "echo hello from $PWD")])],
};

describe("--root", () => {
  it("start --root from an unrelated folder writes only under that repository's .runs", () => {
    const repo = tempRepo(CONFIG);
    const elsewhere = tempDir();
    const start = cli(elsewhere, ["start", "--root", repo, "--task", "0101", "--format", "json"]);
    expect(start.status, start.stderr).toBe(0);
    const run = json<StartJson>(start);
    expect(run.status).toBe("succeeded");
    expect(run.manifest).toBe(`.runs/0101/cli/${run.run_id}/manifest.json`);
    expect(readJson(repo, run.manifest)).toMatchObject({ run_id: run.run_id, status: "succeeded" });
    // The stage ran at the root, and nothing landed in the folder the command was run from.
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readdirSync(repo).sort()).toEqual([".runs", "codex.orchestrator.json", "out"]);
  });

  it("resolves a relative --root against the current folder", () => {
    const parent = tempDir();
    const repo = path.join(parent, "repo");
    const elsewhere = path.join(parent, "elsewhere");
    for (const folder of [repo, elsewhere]) mkdirSync(folder);
    writeFileSync(path.join(repo, "codex.orchestrator.json"), JSON.stringify(CONFIG));
    const start = cli(elsewhere, ["start", "--root", "../repo", "--task", "0101", "--format", "json"]);
    expect(start.status, start.stderr).toBe(0);
    expect(existsSync(path.join(repo, json<StartJson>(start).manifest))).toBe(true);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("wins over CODEX_ORCHESTRATOR_ROOT", () => {
    const repo = tempRepo(CONFIG);
    const decoy = tempRepo(CONFIG);
    const before = snapshotTree(decoy);
    const start = cli(repo, ["start", "--root", repo, "--task", "0101", "--format", "json"], {
      CODEX_ORCHESTRATOR_ROOT: decoy,
    });
    expect(start.status, start.stderr).toBe(0);
    expect(existsSync(path.join(repo, json<StartJson>(start).manifest))).toBe(true);
    expect(snapshotTree(decoy)).toEqual(before);
    // Without the flag the variable still decides.
    const runs = cli(repo, ["runs", "--format", "json"], { CODEX_ORCHESTRATOR_ROOT: decoy });
    expect(runs.status, runs.stderr).toBe(0);
    expect(json(runs)).toEqual([]);
  });

  it("status, runs, logs and verify --root find the run from another folder", () => {
    const repo = tempRepo(CONFIG);
    const elsewhere = tempDir();
    const run = json<StartJson>(cli(repo, ["start", "--task", "0101", "--format", "json"]));
    expect(run.status).toBe("succeeded");

    const status = cli(elsewhere, ["status", run.run_id, "--root", repo, "--format", "json"]);
    expect(status.status, status.stderr).toBe(0);
    expect(json(status)).toMatchObject({ run_id: run.run_id, status: "succeeded" });

    const runs = cli(elsewhere, ["runs", "--root", repo, "--format", "json"]);
    expect(runs.status, runs.stderr).toBe(0);
    expect(json<Array<{ run_id: string }>>(runs).map((entry) => entry.run_id)).toEqual([run.run_id]);

    const logs = cli(elsewhere, ["logs", run.run_id, "--root", repo]);
    expect(logs.status, logs.stderr).toBe(0);
    expect(logs.stdout).toContain(`hello from ${repo}`);

    const verify = cli(elsewhere, ["verify", run.run_id, "--root", repo, "--format", "json"]);
    expect(verify.status, verify.stderr).toBe(0);
    expect(json(verify)).toMatchObject({ ok: true });

    // Without --root, the unrelated folder has no such run.
    const missing = cli(elsewhere, ["status", run.run_id]);
    expect(missing.status).toBe(2);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("plan --root plans the named repository's pipeline", () => {
    const repo = tempRepo(CONFIG);
    const elsewhere = tempDir();
    const plan = cli(elsewhere, ["plan", "--root", repo, "--format", "json"]);
    expect(plan.status, plan.stderr).toBe(0);
    expect(json(plan)).toMatchObject({ pipeline: { id: "hello" } });
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("a nested start inside a stage inherits the root, wherever the stage goes", () => {
    const elsewhere = tempDir();
    const repo = tempRepo({
      pipelines: [
        pipeline("parent", [
          command("nest", `cd '${elsewhere}' && eval "$CODEX_ORCHESTRATOR_CLI start child --task 0202"`),
        ]),
        pipeline("child", [command("inner", "echo inner")]),
      ],
    });
    const start = cli(elsewhere, ["start", "parent", "--root", repo, "--task", "0101", "--format", "json"]);
    expect(start.status, start.stderr).toBe(0);
    const manifest = readJson<{ child_runs: Array<{ manifest: string; pipeline_id: string }> }>(
      repo,
      json<StartJson>(start).manifest,
    );
    expect(manifest.child_runs).toHaveLength(1);
    expect(manifest.child_runs[0]?.pipeline_id).toBe("child");
    expect(readJson(repo, manifest.child_runs[0]?.manifest ?? "")).toMatchObject({ status: "succeeded" });
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it.each([
    ["missing", (base: string) => path.join(base, "no-such-folder"), "no such directory"],
    [
      "a file",
      (base: string) => {
        const file = path.join(base, "a-file");
        writeFileSync(file, "");
        return file;
      },
      "not a directory",
    ],
  ])("refuses a --root that is %s: one line, exit 2, nothing written", (_name, make, problem) => {
    const repo = tempRepo(CONFIG);
    const bad = make(tempDir());
    const before = snapshotTree(repo);
    for (const args of [["start"], ["plan"], ["status", "--latest"], ["init"], ["runs"]]) {
      const result = cli(repo, [...args, "--root", bad]);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toBe(`codex-orchestrator: --root ${bad}: ${problem}\n`);
      expect(result.stdout).toBe("");
    }
    expect(snapshotTree(repo)).toEqual(before);
  });

  it("shows in help, and completion still works", () => {
    const elsewhere = tempDir();
    const help = cli(elsewhere, ["start", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--root");
    const completion = cli(elsewhere, ["completion"]);
    expect(completion.status).toBe(0);
    expect(completion.stdout).toContain("codex-orchestrator");
  });
});

describe("--root in printed commands", () => {
  it("the resume hint of a failed run repeats --root and works as printed from the same folder", () => {
    const repo = tempRepo({
      pipelines: [pipeline("flaky", [command("once", "test -f done || { touch done; exit 1; }")])],
    });
    const elsewhere = tempDir();
    const start = cli(elsewhere, ["start", "flaky", "--root", repo, "--task", "0101"]);
    expect(start.status, start.stderr).toBe(1);
    const hint = /Resume with: codex-orchestrator (.+)$/m.exec(start.stderr)?.[1];
    expect(hint).toMatch(new RegExp(`^--root ${repo} resume \\S+$`));
    const resume = cli(elsewhere, [...(hint ?? "").split(" "), "--format", "json"]);
    expect(resume.status, resume.stderr).toBe(0);
    expect(json(resume)).toMatchObject({ status: "succeeded" });
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

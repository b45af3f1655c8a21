import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_BIN, readJson, readNdjson, runCli, runCliJson, spawnCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { snapshotTree } from "../helpers/tree-snapshot.js";
import {
  command,
  expectArtifact,
  expectCompleteRunArtifacts,
  pipeline,
  readManifest,
  startJson,
  tempRepo,
  waitFor,
  type EventLine,
  expectNoRuns,
} from "./support.js";

/** A pipeline with a passing, an allowFailure, a cwd/env, a failing and a never-reached stage. */
const MIXED_CONFIG = {
  defaultPipeline: "mixed",
  pipelines: [
    pipeline("mixed", [
      command("hello", "echo hello; echo task=$MCP_RUNNER_TASK_ID; echo warn >&2", { summaryHint: "greets" }),
      command("soft", "echo soft-out; exit 4", { allowFailure: true }),
      command("where", 'echo "cwd=$(pwd)"; echo "foo=$FOO"', { cwd: "sub/dir", env: { FOO: "bar baz" } }),
      command("spec-guard", "bash scripts/spec-guard.sh --dry-run"),
      command("broken", "echo about to fail; echo oops >&2; exit 7", { title: "Broken Stage!" }),
      command("never", "echo never > never.txt"),
    ]),
  ],
};

const SPEC_GUARD = "#!/usr/bin/env bash\necho spec-guard ok\n";

function mixedRepo(): string {
  return tempRepo(MIXED_CONFIG, { "sub/dir/.keep": "", "scripts/spec-guard.sh": SPEC_GUARD });
}

describe("start: a pipeline with passing, allowFailure and failing stages", () => {
  it("exits 1 and leaves every artifact of docs/contract.md §3 with the right content", () => {
    const root = mixedRepo();

    const result = startJson(root, ["mixed", "--task", "0420"]);

    expect(result.status).toBe(1);
    const out = result.json;
    expectArtifact("start-output", out, "start --format json");
    expect(out).toMatchObject({
      task_id: "0420",
      pipeline_id: "mixed",
      status: "failed",
      status_detail: "stage:broken:failed",
    });
    expect(out.artifact_root).toBe(`.runs/0420/cli/${out.run_id}`);
    expect(out.manifest).toBe(`${out.artifact_root}/manifest.json`);
    expect(out.log_path).toBe(`${out.artifact_root}/runner.ndjson`);

    const manifest = expectCompleteRunArtifacts(root, out.manifest);
    expect(manifest).toMatchObject({
      task_id: "0420",
      run_id: out.run_id,
      parent_run_id: null,
      pipeline_id: "mixed",
      pipeline_title: "Pipeline mixed",
      status: "failed",
      status_detail: "stage:broken:failed",
      compat_path: `.runs/0420/mcp/${out.run_id}/manifest.json`,
      log_path: out.log_path,
      child_runs: [],
      approvals: [],
      resume_events: [],
    });
    expect(manifest.completed_at).not.toBeNull();
    expect(
      manifest.commands.map((entry) => [entry.index, entry.id, entry.kind, entry.status, entry.exit_code]),
    ).toEqual([
      [1, "hello", "command", "succeeded", 0],
      [2, "soft", "command", "skipped", 4],
      [3, "where", "command", "succeeded", 0],
      [4, "spec-guard", "command", "succeeded", 0],
      [5, "broken", "command", "failed", 7],
      [6, "never", "command", "pending", null],
    ]);
    const byId = Object.fromEntries(manifest.commands.map((entry) => [entry.id, entry]));
    expect(byId.hello?.summary).toBe("greets");
    expect(byId.hello?.command).toBe("echo hello; echo task=$MCP_RUNNER_TASK_ID; echo warn >&2");
    expect(byId.broken?.error_file).toBe(`${out.artifact_root}/errors/05-broken.json`);
    expect(byId.hello?.error_file).toBeNull();
    expect(byId.hello?.log_path).toBe(`${out.artifact_root}/commands/01-hello.ndjson`);
    // The stage after the failure never ran.
    expect(() => readFileSync(path.join(root, "never.txt"))).toThrow();

    // Summary: human-readable, last line the guardrail summary.
    const lines = manifest.summary.split("\n");
    expect(lines.at(-1)).toBe("Guardrails: spec-guard succeeded (1 passed).");

    // Stage events: command:start/stdout/stderr/end in the stage's own file, with the task id exported.
    const hello = readNdjson<EventLine>(root, `${out.artifact_root}/commands/01-hello.ndjson`);
    expect(hello.map((event) => event.type)).toEqual(
      expect.arrayContaining(["command:start", "command:stdout", "command:stderr", "command:end"]),
    );
    expect(hello[0]).toMatchObject({ type: "command:start", index: 1 });
    expect(hello.at(-1)).toMatchObject({ type: "command:end", exit_code: 0, signal: null });
    const helloStdout = hello
      .filter((event) => event.type === "command:stdout")
      .map((event) => event.data)
      .join("");
    const helloStderr = hello
      .filter((event) => event.type === "command:stderr")
      .map((event) => event.data)
      .join("");
    expect(helloStdout).toBe("hello\ntask=0420\n");
    expect(helloStderr).toBe("warn\n");

    // cwd relative to the root, env overlay.
    const whereOut = readNdjson<EventLine>(root, `${out.artifact_root}/commands/03-where.ndjson`)
      .filter((event) => event.type === "command:stdout")
      .map((event) => event.data)
      .join("");
    expect(whereOut).toBe(`cwd=${path.join(root, "sub/dir")}\nfoo=bar baz\n`);

    // Error file for the failed stage (and the end event carries the exit code).
    const errors = readJson(root, `${out.artifact_root}/errors/05-broken.json`);
    expect(errors).toMatchObject({
      stage_id: "broken",
      exit_code: 7,
      command: "echo about to fail; echo oops >&2; exit 7",
    });
    expect(JSON.stringify(errors)).toContain("about to fail");

    // runner.ndjson: run-level start/end plus every stage's events, in order.
    const runner = readNdjson<EventLine>(root, out.log_path);
    expect(runner[0]).toMatchObject({ type: "run:created", index: null, seq: 1 });
    expect(runner[1]).toMatchObject({ type: "run:start", index: null, seq: 2 });
    expect(runner.at(-1)).toMatchObject({
      type: "run:end",
      status: "failed",
      status_detail: "stage:broken:failed",
    });
    const starts = runner.filter((event) => event.type === "command:start").map((event) => event.index);
    const ends = runner
      .filter((event) => event.type === "command:end")
      .map((event) => [event.index, event.exit_code]);
    expect(starts).toEqual([1, 2, 3, 4, 5]);
    expect(ends).toEqual([
      [1, 0],
      [2, 4],
      [3, 0],
      [4, 0],
      [5, 7],
    ]);
    expect(runner.some((event) => event.type === "stage:status")).toBe(true);

    // Metrics line and state snapshot carry the run.
    const metrics = readNdjson(root, ".runs/0420/metrics.json");
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      run_id: out.run_id,
      task_id: "0420",
      pipeline_id: "mixed",
      status: "failed",
      commands_failed: 1,
      guardrails_present: true,
      child_runs: 0,
      approvals: 0,
      artifact_path: out.artifact_root,
    });
    const state = readJson(root, "out/0420/state.json");
    expect(state).toMatchObject({ taskId: "0420" });
    expect(state.lastRunAt).toEqual(expect.any(String));
  });

  it("exits 0 for a passing run; text output names the run, status, manifest and log", () => {
    const root = tempRepo({
      pipelines: [pipeline("ok", [command("one", "echo one"), command("two", "true")])],
    });

    const result = runCli(root, ["start", "ok"], { env: { MCP_RUNNER_TASK_ID: "0555" } });

    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    const runId = /^Run started: (\S+)$/.exec(lines[0] ?? "")?.[1];
    expect(runId).toBeDefined();
    expect(lines.slice(1)).toEqual([
      "Status: succeeded",
      `Manifest: .runs/0555/cli/${runId}/manifest.json`,
      `Log: .runs/0555/cli/${runId}/runner.ndjson`,
    ]);
    const manifest = expectCompleteRunArtifacts(root, `.runs/0555/cli/${runId}/manifest.json`);
    expect(manifest.status).toBe("succeeded");
    expect(manifest.status_detail).toBeNull();
    expect(manifest.summary.split("\n").at(-1)).toBe("Guardrails: spec-guard command not found.");
  });

  it("prints exactly one 2-space-indented JSON document on stdout in JSON mode", () => {
    const root = mixedRepo();

    const result = runCli(root, ["start", "mixed", "--format", "json"]);

    expect(result.status).toBe(1);
    const parsed: unknown = JSON.parse(result.stdout);
    expect(result.stdout).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
    // Progress goes to stderr, never stdout.
    expect(result.stderr).toContain("broken");
  });

  it("writes a failed guardrail as the summary's last line", () => {
    const root = tempRepo(
      { pipelines: [pipeline("guarded", [command("spec-guard", "bash scripts/spec-guard.sh")])] },
      { "scripts/spec-guard.sh": "echo stale spec >&2; exit 1\n" },
    );

    const result = startJson(root, ["guarded"]);

    expect(result.status).toBe(1);
    const manifest = expectCompleteRunArtifacts(root, result.json.manifest);
    expect(manifest.summary.split("\n").at(-1)).toBe("Guardrails: spec-guard failed (1/1 failed).");
    expect(manifest.status_detail).toBe("stage:spec-guard:failed");
  });

  it("honours CODEX_ORCHESTRATOR_RUNS_DIR and CODEX_ORCHESTRATOR_OUT_DIR", () => {
    const root = tempRepo({ pipelines: [pipeline("ok", [command("one", "echo one")])] });
    const elsewhere = tempDir();
    const runsDir = path.join(elsewhere, "runs");
    const outDir = path.join(elsewhere, "state");

    const result = startJson(root, ["ok", "--task", "0700"], {
      env: { CODEX_ORCHESTRATOR_RUNS_DIR: runsDir, CODEX_ORCHESTRATOR_OUT_DIR: outDir },
    });

    expect(result.status).toBe(0);
    expect(path.resolve(root, result.json.manifest)).toBe(
      path.join(runsDir, "0700", "cli", result.json.run_id, "manifest.json"),
    );
    expectCompleteRunArtifacts(root, result.json.manifest, { runsDir, outDir });
    expect(() => readFileSync(path.join(root, ".runs", "0700", "metrics.json"))).toThrow();
    expect(() => readFileSync(path.join(root, "out", "0700", "state.json"))).toThrow();
  });

  it("gives two runs of one task distinct, time-ordered ids and two metrics lines", () => {
    const root = tempRepo({ pipelines: [pipeline("ok", [command("one", "true")])] });

    const first = startJson(root, ["ok"]);
    const second = startJson(root, ["ok"]);

    expect(first.json.run_id < second.json.run_id).toBe(true);
    expect(readNdjson(root, ".runs/0101/metrics.json").map((line) => line.run_id)).toEqual([
      first.json.run_id,
      second.json.run_id,
    ]);
    const state = readJson<{ runs: { run_id: string }[] }>(root, "out/0101/state.json");
    expect(state.runs.map((run) => run.run_id).sort()).toEqual([first.json.run_id, second.json.run_id]);
  });

  it("accepts --concurrency and --continue, and the same for resume", () => {
    const root = tempRepo({
      pipelines: [pipeline("ok", [command("one", "true")]), pipeline("bad", [command("fail", "exit 1")])],
    });

    const started = startJson(root, ["ok", "--concurrency", "3", "--continue"]);
    const failed = startJson(root, ["bad", "--concurrency=1", "--no-continue"]);
    const resumed = runCliJson<{ status: string }>(root, [
      "resume",
      failed.json.run_id,
      "--concurrency",
      "2",
      "--continue",
    ]);

    expect(started.status).toBe(0);
    expect(started.json.status).toBe("succeeded");
    expect(failed.status).toBe(1);
    expect(resumed.status).toBe(1);
    expect(resumed.json.status).toBe("failed");
  });

  it("uses the config's defaultPipeline when none is named, and --flag=value works", () => {
    const root = mixedRepo();
    writeFileSync(
      path.join(root, "codex.orchestrator.json"),
      JSON.stringify({ defaultPipeline: "ok", pipelines: [pipeline("ok", [command("one", "true")])] }),
    );

    const result = runCli(root, ["start", "--task=0808", "--format=json"]);

    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      pipeline_id: "ok",
      task_id: "0808",
      status: "succeeded",
    });
  });
});

describe("exit code 2: bad usage, config or input", () => {
  it("lists the known pipeline ids for an unknown pipeline", () => {
    const root = mixedRepo();

    for (const verb of ["start", "plan"]) {
      const result = runCli(root, [verb, "nope"]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('"nope"');
      expect(result.stderr).toMatch(/diagnostics, mixed/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("names the file and line:column of invalid JSON", () => {
    const root = tempRepo({});
    writeFileSync(
      path.join(root, "codex.orchestrator.json"),
      '{\n  "pipelines": [\n    {"id": "x",, }\n  ]\n}\n',
    );

    const result = runCli(root, ["start", "x"]);

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/codex\.orchestrator\.json:3:\d+/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("names the file and JSON path of a bad value", () => {
    const root = tempRepo({
      pipelines: [pipeline("x", [command("ok", "true"), { kind: "bogus", id: "b", title: "B" }])],
    });

    const plan = runCli(root, ["plan", "x", "--format", "json"]);

    expect(plan.status).toBe(2);
    expect(plan.stdout).toBe("");
    expect(plan.stderr).toContain("codex.orchestrator.json");
    expect(plan.stderr).toContain("pipelines[0].stages[1].kind");
  });

  it("rejects unsafe task ids naming their source, before any path is built", () => {
    const root = mixedRepo();

    const fromFlag = runCli(root, ["start", "mixed", "--task", "../escape"]);
    const fromEnv = runCli(root, ["start", "mixed"], { env: { MCP_RUNNER_TASK_ID: "a/b" } });
    const badRun = runCli(root, ["status", "--run", "x:y"]);

    expect(fromFlag.status).toBe(2);
    expect(fromFlag.stderr).toContain("--task");
    expect(fromEnv.status).toBe(2);
    expect(fromEnv.stderr).toContain("MCP_RUNNER_TASK_ID");
    expect(badRun.status).toBe(2);
    expectNoRuns(root);
  });

  it("refuses unknown commands and flags", () => {
    const root = mixedRepo();

    expect(runCli(root, ["frobnicate"]).status).toBe(2);
    expect(runCli(root, ["start", "mixed", "--no-such-flag"]).status).toBe(2);
    expect(runCli(root, ["start", "mixed", "--format", "yaml"]).status).toBe(2);
  });
});

describe("help and version", () => {
  it("prints --version", () => {
    const root = tempRepo({});
    const pkg = JSON.parse(readFileSync(new URL("../../apps/cli/package.json", import.meta.url), "utf8")) as {
      version: string;
    };

    const result = runCli(root, ["--version"]);

    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it.each([
    [["--help"], "start"],
    [["-h"], "runs"],
    [["help"], "approve"],
  ])("prints usage for %j", (args, mentions) => {
    const root = tempRepo({});

    const result = runCli(root, args);

    expect(result.status).toBe(0);
    expect(result.stdout).toContain("codex-orchestrator");
    expect(result.stdout).toContain(mentions);
  });

  it.each([
    ["start", ["--task", "--parent-run", "--approval-policy", "--concurrency", "--continue", "--format"]],
    ["plan", ["--task", "--format"]],
    ["resume", ["--run", "--token", "--actor", "--reason", "--concurrency", "--continue", "--format"]],
    ["status", ["--run", "--watch", "--interval", "--format"]],
    ["approve", ["--run", "--stage", "--actor", "--reason", "--reject", "--format"]],
    ["runs", ["--task", "--status", "--pipeline", "--since", "--limit", "--format"]],
  ])("documents every flag of %s in --help", (verb, flags) => {
    const root = tempRepo({});

    const result = runCli(root, [verb, "--help"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`codex-orchestrator ${verb}`);
    for (const flag of flags) expect(result.stdout).toContain(flag);
    // Help never starts a run.
    expectNoRuns(root);
  });
});

describe("plan", () => {
  const EXTENDED_CONFIG = {
    pipelines: [
      pipeline("own", [
        command("build", "make", { cwd: "pkg", env: { MODE: "fast" } }),
        command("check", "make check", { guardrail: true }),
      ]),
      {
        id: "extended",
        extends: "diagnostics",
        before: [command("smoke", "echo smoke")],
        after: [command("report", "echo report", { env: { OUT: "x" } })],
      },
    ],
  };

  it("shows guardrails, origin, cwd and env in text", () => {
    const root = tempRepo(EXTENDED_CONFIG);

    const own = runCli(root, ["plan", "own"]);
    const extended = runCli(root, ["plan", "extended"]);

    expect(own.status).toBe(0);
    expect(own.stdout).toContain("Defined in: codex.orchestrator.json");
    expect(own.stdout).toMatch(/\[command\] .* \(check\) \[guardrail\]/);
    expect(own.stdout).toMatch(/cwd: pkg/);
    expect(own.stdout).toMatch(/env: MODE=fast/);
    expect(own.stdout).toMatch(/Guardrails: check/);
    expect(extended.status).toBe(0);
    expect(extended.stdout).toContain("Extends: diagnostics");
    expect(extended.stdout).toContain("built-in diagnostics");
    expect(extended.stdout).toContain("codex.orchestrator.json pipelines[1].before[0]");
    expect(extended.stdout).toMatch(/\[command\] .* \(spec-guard\) \[guardrail\]/);
    // Planning runs nothing.
    expectNoRuns(root);
  });

  it("prints one JSON document with stage order, origins and guardrails", () => {
    const root = tempRepo(EXTENDED_CONFIG);

    const result = runCliJson<{
      pipeline: { id: string; source: string; extends: string[] };
      stages: { id: string; origin: string; guardrail: boolean; cwd: string; env: Record<string, string> }[];
      guardrails: { present: boolean; stages: string[] };
    }>(root, ["plan", "extended", "--task", "0900"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${JSON.stringify(result.json, null, 2)}\n`);
    expectArtifact("plan-output", result.json, "plan --format json");
    expect(result.json.pipeline).toMatchObject({
      id: "extended",
      source: "user",
      defined_in: "codex.orchestrator.json",
      extends: ["diagnostics"],
    });
    expect(result.json.stages.map((stage) => stage.id)).toEqual([
      "smoke",
      "build",
      "lint",
      "test",
      "spec-guard",
      "report",
    ]);
    expect(result.json.stages.find((stage) => stage.id === "build")?.origin).toBe("built-in diagnostics");
    expect(result.json.stages.find((stage) => stage.id === "report")).toMatchObject({
      env: { OUT: "x" },
      cwd: ".",
    });
    expect(result.json.guardrails).toEqual({ present: true, stages: ["spec-guard"] });
    const own = runCliJson<{
      stages: { id: string; cwd: string; env: Record<string, string>; guardrail: boolean }[];
    }>(root, ["plan", "own"]);
    expect(own.json.stages[0]).toMatchObject({
      id: "build",
      cwd: "pkg",
      env: { MODE: "fast" },
      guardrail: false,
    });
    expect(own.json.stages[1]).toMatchObject({ id: "check", guardrail: true });
  });

  it("shows the built-in diagnostics pipeline with no config at all", () => {
    const root = tempDir();

    const text = runCli(root, ["plan"]);
    const json = runCliJson<{
      pipeline: { id: string; title: string; source: string };
      stages: { id: string; command: string }[];
    }>(root, ["plan", "diagnostics"]);

    expect(text.status).toBe(0);
    expect(text.stdout).toContain("Diagnostics Pipeline");
    expect(text.stdout).toContain("built-in");
    expect(json.json.pipeline).toMatchObject({ id: "diagnostics", title: "Diagnostics Pipeline" });
    expect(json.json.stages.map((stage) => [stage.id, stage.command])).toEqual([
      ["build", "npm run build"],
      ["lint", "npm run lint"],
      ["test", "npm run test"],
      ["spec-guard", `'${process.execPath}' '${CLI_BIN}' spec-guard --dry-run`],
    ]);
  });

  it("writes nothing anywhere: the repository is byte-identical afterwards, no .runs, no out", () => {
    const root = tempRepo(
      {
        ...EXTENDED_CONFIG,
        projects: [
          { taskId: "0101", path: "." },
          { taskId: "0901", path: "pkg" },
        ],
      },
      {
        "pkg/codex.orchestrator.json": JSON.stringify({
          pipelines: [pipeline("pkg-only", [command("unit", "true")])],
        }),
      },
    );
    const elsewhere = tempDir();
    const env = {
      CODEX_ORCHESTRATOR_RUNS_DIR: path.join(elsewhere, "runs"),
      CODEX_ORCHESTRATOR_OUT_DIR: path.join(elsewhere, "out"),
    };
    const before = snapshotTree(root);

    const runs = [
      runCli(root, ["plan"]),
      runCli(root, ["plan", "--format", "json"]),
      runCli(root, ["plan", "extended", "--task", "0901", "--format", "json"]),
      runCli(root, ["plan", "pkg-only"], { cwd: path.join(root, "pkg") }),
      runCli(root, ["plan", "own"], { env }),
    ];

    expect(runs.map((result) => [result.status, result.stderr])).toEqual(runs.map(() => [0, ""]));
    expect(snapshotTree(root)).toEqual(before);
    expect(existsSync(path.join(root, ".runs"))).toBe(false);
    expect(existsSync(path.join(root, "out"))).toBe(false);
    expect(snapshotTree(elsewhere)).toEqual([]);
  });

  it("lets a config pipeline with a built-in id replace the built-in", () => {
    const root = tempRepo({ pipelines: [pipeline("diagnostics", [command("only", "true")])] });

    const result = runCliJson<{ pipeline: { source: string; defined_in: string }; stages: { id: string }[] }>(
      root,
      ["plan", "diagnostics"],
    );

    expect(result.status).toBe(0);
    expect(result.json.pipeline).toMatchObject({ source: "user", defined_in: "codex.orchestrator.json" });
    expect(result.json.stages.map((stage) => stage.id)).toEqual(["only"]);
  });
});

describe("an extended pipeline runs its added stages around the shared ones", () => {
  it("keeps the built-in guardrail in the run", () => {
    const root = tempRepo(
      {
        pipelines: [
          pipeline("base", [
            command("lint", "echo lint"),
            command("spec-guard", "bash scripts/spec-guard.sh --dry-run"),
          ]),
          { id: "project", extends: "base", before: [command("smoke", "echo smoke")] },
        ],
      },
      { "scripts/spec-guard.sh": SPEC_GUARD },
    );

    const result = startJson(root, ["project"]);

    expect(result.status).toBe(0);
    const manifest = readManifest(root, result.json.manifest);
    expect(manifest.commands.map((entry) => entry.id)).toEqual(["smoke", "lint", "spec-guard"]);
    expect(manifest.summary.split("\n").at(-1)).toBe("Guardrails: spec-guard succeeded (1 passed).");
  });
});

describe("signals and slugs", () => {
  const WAITING_CONFIG = {
    pipelines: [
      pipeline("waiting", [
        command("lint.all_v2", "echo first"),
        command("wait", "touch started.marker; while [ ! -f done.marker ]; do sleep 0.2; done"),
      ]),
      pipeline("killed", [command("die", "kill -9 $$")]),
    ],
  };

  it("names stage files NN-<slug> (non-alphanumerics become -)", () => {
    const root = tempRepo(WAITING_CONFIG);
    writeFileSync(path.join(root, "done.marker"), "");

    const result = startJson(root, ["waiting"]);

    expect(result.status).toBe(0);
    expect(existsSync(path.join(root, result.json.artifact_root, "commands/01-lint-all-v2.ndjson"))).toBe(
      true,
    );
    expectCompleteRunArtifacts(root, result.json.manifest);
  });

  it("records a command killed by a signal as failed, never exit 0", () => {
    const root = tempRepo(WAITING_CONFIG);

    const result = startJson(root, ["killed"]);

    expect(result.status).toBe(1);
    const manifest = expectCompleteRunArtifacts(root, result.json.manifest);
    expect(manifest.commands[0]).toMatchObject({ status: "failed", signal: "SIGKILL" });
    expect(manifest.commands[0]?.exit_code).not.toBe(0);
    const end = readNdjson<EventLine>(root, result.json.log_path).find(
      (event) => event.type === "command:end",
    );
    expect(end).toMatchObject({ signal: "SIGKILL" });
  });

  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("%s cancels the run and exits %i", async (signal, code) => {
    const root = tempRepo(WAITING_CONFIG);
    const orchestrator = spawnCli(root, ["start", "waiting", "--format", "json"]);
    const exited = once(orchestrator, "exit");
    let stdout = "";
    orchestrator.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    await waitFor(
      () => (existsSync(path.join(root, "started.marker")) ? true : undefined),
      "the stage to start",
    );

    orchestrator.kill(signal);
    const [exitCode] = (await exited) as [number | null];

    expect(exitCode).toBe(code);
    const out = JSON.parse(stdout) as { manifest: string; status: string };
    expect(out.status).toBe("cancelled");
    const manifest = expectCompleteRunArtifacts(root, out.manifest);
    expect(manifest).toMatchObject({ status: "cancelled", status_detail: `signal:${signal}` });
    expect(manifest.commands[1]?.status).toBe("failed");
  });

  it("logs output as Node decodes it, whatever its bytes: escapes, characters split between writes, invalid UTF-8", () => {
    // Octal escapes, as dash's printf takes them: 雪 is \351\233\252, 🎉 \360\237\216\211.
    const tricky = String.raw`printf 'q" b\\ t\t nul\000 bell\007 del\177 \351'; sleep 0.1; printf '\233\252 \360\237'; sleep 0.1; printf '\216\211\n'`;
    const invalid = String.raw`printf 'ok \351\233\252 '; sleep 0.1; printf 'bad \377 \351\233'; sleep 0.1; printf ' cut\n'`;
    const root = tempRepo({
      pipelines: [pipeline("bytes", [command("tricky", tricky), command("invalid", `{ ${invalid}; } >&2`)])],
    });
    const result = startJson(root, ["bytes"]);
    expect(result.status).toBe(0);
    const logged = (file: string, type: string) =>
      readNdjson<EventLine>(root, path.join(result.json.artifact_root, "commands", file))
        .filter((event) => event.type === type)
        .map((event) => String(event.data))
        .join("");
    expect(logged("01-tricky.ndjson", "command:stdout")).toBe(
      'q" b\\ t\t nul\u0000 bell\u0007 del\u007f 雪 🎉\n',
    );
    expect(logged("02-invalid.ndjson", "command:stderr")).toBe("ok 雪 bad \ufffd \ufffd cut\n");
  });

  it("rewrites .heartbeat and heartbeat_at while a stage runs", async () => {
    const root = tempRepo(WAITING_CONFIG);
    const orchestrator = spawnCli(root, ["start", "waiting", "--task", "0303", "--format", "json"]);
    const exited = once(orchestrator, "exit");
    let stdout = "";
    orchestrator.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    await waitFor(
      () => (existsSync(path.join(root, "started.marker")) ? true : undefined),
      "the stage to start",
    );
    const runDir = await waitFor(() => {
      const listed = runCliJson<{ manifest: string }[]>(root, ["runs"]).json;
      return listed[0] ? path.dirname(path.join(root, listed[0].manifest)) : undefined;
    }, "the run to be listed");
    const firstBeat = readFileSync(path.join(runDir, ".heartbeat"), "utf8");

    // A heartbeat every 5 s: wait (without an upper bound on timing) for the next one.
    const nextBeat = await waitFor(() => {
      const beat = readFileSync(path.join(runDir, ".heartbeat"), "utf8");
      return beat !== firstBeat && beat.endsWith("\n") ? beat : undefined;
    }, "the next heartbeat");
    const manifestDuring = readManifest(root, path.relative(root, path.join(runDir, "manifest.json")));
    writeFileSync(path.join(root, "done.marker"), "");
    const [exitCode] = (await exited) as [number | null];

    expect(exitCode).toBe(0);
    expect(Date.parse(nextBeat.trim())).toBeGreaterThan(Date.parse(firstBeat.trim()));
    expect(manifestDuring.status).toBe("in_progress");
    expect(Date.parse(manifestDuring.heartbeat_at ?? "")).toBeGreaterThanOrEqual(
      Date.parse(firstBeat.trim()),
    );
    expectCompleteRunArtifacts(root, (JSON.parse(stdout) as { manifest: string }).manifest);
  });
});

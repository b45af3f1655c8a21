import { spawn } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";
import { cleanEnvironment, manifestFor, runBash, runNode, scriptPath, scriptsDir } from "./support.js";

/** A fake CLI: prints each argument in brackets and the task id, then exits with $FAKE_EXIT. */
const ECHO_CLI = `#!/bin/sh
printf 'args:'
for argument in "$@"; do printf ' [%s]' "$argument"; done
printf '\\n'
echo "task:\${MCP_RUNNER_TASK_ID:-<unset>}"
exit "\${FAKE_EXIT:-0}"
`;

/** Writes an executable fake CLI and returns its path. */
function fakeCli(body = ECHO_CLI): string {
  const file = path.join(tempDir(), "fake cli.sh");
  writeFiles(path.dirname(file), { [path.basename(file)]: body });
  chmodSync(file, 0o755);
  return file;
}

describe("agents_mcp_runner.mjs", () => {
  it("passes the command, every argument and MCP_RUNNER_TASK_ID to the CLI", () => {
    const cwd = tempDir();
    const bin = fakeCli();

    const result = runNode(
      "agents_mcp_runner.mjs",
      ["start", "diagnostics", "--format", "json", "two words"],
      {
        cwd,
        env: { CODEX_ORCHESTRATOR_BIN: bin, MCP_RUNNER_TASK_ID: "0707" },
      },
    );

    expect(result.stdout).toBe("args: [start] [diagnostics] [--format] [json] [two words]\ntask:0707\n");
    expect(result.status).toBe(0);
  });

  it("maps poll to status and keeps resume as is", () => {
    const cwd = tempDir();
    const env = { CODEX_ORCHESTRATOR_BIN: fakeCli() };

    const poll = runNode("agents_mcp_runner.mjs", ["poll", "run-1", "--watch"], { cwd, env });
    const resume = runNode("agents_mcp_runner.mjs", ["resume", "run-1", "--token", "t"], { cwd, env });

    expect(poll.stdout).toContain("args: [status] [run-1] [--watch]\n");
    expect(resume.stdout).toContain("args: [resume] [run-1] [--token] [t]\n");
  });

  it.each([1, 2, 3])("exits with the CLI's exit code %i", (code) => {
    const cwd = tempDir();

    const result = runNode("agents_mcp_runner.mjs", ["status", "run-1"], {
      cwd,
      env: { CODEX_ORCHESTRATOR_BIN: fakeCli(), FAKE_EXIT: String(code) },
    });

    expect(result.status).toBe(code);
  });

  it("dies of the same signal as the CLI", () => {
    const cwd = tempDir();
    const bin = fakeCli("#!/bin/sh\nkill -TERM $$\nsleep 5\n");

    const result = runNode("agents_mcp_runner.mjs", ["start"], { cwd, env: { CODEX_ORCHESTRATOR_BIN: bin } });

    expect(result.signal).toBe("SIGTERM");
  });

  it("rejects a missing or unknown command with exit 2", () => {
    const cwd = tempDir();
    const env = { CODEX_ORCHESTRATOR_BIN: fakeCli() };

    const missing = runNode("agents_mcp_runner.mjs", [], { cwd, env });
    const unknown = runNode("agents_mcp_runner.mjs", ["launch"], { cwd, env });

    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("agents_mcp_runner: missing command");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('agents_mcp_runner: unknown command "launch"');
    expect(unknown.stdout).toBe("");
  });

  it("runs <repo>/apps/cli/dist/bin.js by default and explains when it is not built", () => {
    // A copy of the scripts in a temp "repository", so the default CLI path is under our control.
    const repo = tempDir();
    cpSync(scriptsDir, path.join(repo, "scripts"), { recursive: true });
    const runner = path.join(repo, "scripts", "agents_mcp_runner.mjs");
    const run = () => runNode(runner, ["status", "run-1"], { cwd: repo });

    const unbuilt = run();
    mkdirSync(path.join(repo, "apps", "cli", "dist"), { recursive: true });
    writeFiles(repo, {
      "apps/cli/dist/bin.js": "console.log(JSON.stringify(process.argv.slice(2))); process.exit(3);\n",
    });
    const built = run();

    expect(unbuilt.status).toBe(2);
    expect(unbuilt.stderr).toContain("agents_mcp_runner: CLI not built:");
    expect(built.stdout).toBe('["status","run-1"]\n');
    expect(built.status).toBe(3);
  });
});

describe("mcp-runner-start.sh", () => {
  it("starts a run with the arguments and task id passed through", () => {
    const cwd = tempDir();

    const result = runBash("mcp-runner-start.sh", ["diagnostics", "--format", "json"], {
      cwd,
      env: { CODEX_ORCHESTRATOR_BIN: fakeCli(), MCP_RUNNER_TASK_ID: "0808", FAKE_EXIT: "1" },
    });

    expect(result.stdout).toBe("args: [start] [diagnostics] [--format] [json]\ntask:0808\n");
    expect(result.status).toBe(1);
  });

  it("resumes with --resume <run-id> or --resume=<run-id>", () => {
    const cwd = tempDir();
    const env = { CODEX_ORCHESTRATOR_BIN: fakeCli(), FAKE_EXIT: "3" };

    const spaced = runBash("mcp-runner-start.sh", ["--resume", "run-9", "--actor", "ann"], { cwd, env });
    const joined = runBash("mcp-runner-start.sh", ["--token", "t", "--resume=run-9"], { cwd, env });

    expect(spaced.stdout).toContain("args: [resume] [run-9] [--actor] [ann]\n");
    expect(spaced.status).toBe(3);
    expect(joined.stdout).toContain("args: [resume] [run-9] [--token] [t]\n");
  });

  it("rejects --resume without a run id with exit 2", () => {
    const cwd = tempDir();

    const result = runBash("mcp-runner-start.sh", ["--resume"], {
      cwd,
      env: { CODEX_ORCHESTRATOR_BIN: fakeCli() },
    });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("mcp-runner-start: --resume needs a run id");
    expect(result.stdout).toBe("");
  });

  it("forwards SIGTERM to the CLI and exits as the CLI does", async () => {
    const cwd = tempDir();
    const bin = fakeCli(`#!/bin/sh
trap 'echo "cli got TERM"; exit 143' TERM
echo ready
while :; do sleep 0.05; done
`);
    const child = spawn("bash", [scriptPath("mcp-runner-start.sh")], {
      cwd,
      env: cleanEnvironment({ CODEX_ORCHESTRATOR_BIN: bin }),
    });
    let stdout = "";
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("ready")) resolve();
      });
    });

    child.kill("SIGTERM");
    const code = await exited;

    expect(stdout).toContain("cli got TERM");
    expect(code).toBe(143);
  });
});

describe("mcp-runner-poll.sh", () => {
  it("asks the CLI for the run's status with the flags passed through", () => {
    const cwd = tempDir();

    const result = runBash(
      "mcp-runner-poll.sh",
      ["run-1", "--watch", "--interval", "2", "--format", "json"],
      {
        cwd,
        env: { CODEX_ORCHESTRATOR_BIN: fakeCli(), MCP_RUNNER_TASK_ID: "0909", FAKE_EXIT: "1" },
      },
    );

    expect(result.stdout).toBe(
      "args: [status] [run-1] [--watch] [--interval] [2] [--format] [json]\ntask:0909\n",
    );
    expect(result.status).toBe(1);
  });

  it.each([
    [[], "mcp-runner-poll: missing run id"],
    [["--watch"], 'mcp-runner-poll: the first argument must be a run id, got "--watch"'],
    [["run-1", "--interval"], "mcp-runner-poll: --interval needs a value"],
    [["run-1", "--format", "--watch"], "mcp-runner-poll: --format needs a value"],
  ])("rejects %j with exit 2", (args, message) => {
    const cwd = tempDir();

    const result = runBash("mcp-runner-poll.sh", args, { cwd, env: { CODEX_ORCHESTRATOR_BIN: fakeCli() } });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
  });
});

describe("review.mjs", () => {
  const RUN = "2026-11-24T10-00-00-000Z-0123abcd";
  const MANIFEST = `.runs/0101/cli/${RUN}/manifest.json`;

  /** A fake CLI that records its arguments and prints a status document. */
  function statusCli(status: Record<string, unknown>, exitCode: number): { bin: string; argsFile: string } {
    const directory = tempDir();
    const argsFile = path.join(directory, "args.txt");
    writeFiles(directory, {
      "status.json": JSON.stringify(status, null, 2),
      "cli.sh": `#!/bin/sh\necho "$*" > "${argsFile}"\ncat "${path.join(directory, "status.json")}"\nexit ${exitCode}\n`,
    });
    chmodSync(path.join(directory, "cli.sh"), 0o755);
    return { bin: path.join(directory, "cli.sh"), argsFile };
  }

  function readArgs(file: string): string {
    return readFileSync(file, "utf8").trim();
  }

  it("prints the run, its status, the guardrail line and the manifest path", () => {
    const root = tempDir();
    writeFiles(root, { [MANIFEST]: JSON.stringify(manifestFor(RUN)) });
    const { bin, argsFile } = statusCli(
      {
        run_id: RUN,
        task_id: "0101",
        pipeline_id: "diagnostics",
        status: "succeeded",
        status_detail: null,
        manifest: MANIFEST,
      },
      0,
    );

    const result = runNode("review.mjs", [], { cwd: root, env: { CODEX_ORCHESTRATOR_BIN: bin } });

    expect(readArgs(argsFile)).toBe("status --latest --format json");
    expect(result.stdout).toBe(
      [
        `Run:      ${RUN} (task 0101, pipeline diagnostics)`,
        "Status:   succeeded",
        "Guardrails: spec-guard succeeded (1 passed).",
        `Manifest: ${MANIFEST}`,
        "",
      ].join("\n"),
    );
    expect(result.status).toBe(0);
  });

  it("asks for the latest run of MCP_RUNNER_TASK_ID and exits with the status command's code", () => {
    const root = tempDir();
    const { bin, argsFile } = statusCli(
      {
        run_id: RUN,
        task_id: "0505",
        status: "failed",
        status_detail: "stage:test:failed",
        manifest: MANIFEST,
        summary: "Stage test failed.\nGuardrails: spec-guard failed (1/1 failed).",
      },
      1,
    );

    const result = runNode("review.mjs", [], {
      cwd: root,
      env: { CODEX_ORCHESTRATOR_BIN: bin, MCP_RUNNER_TASK_ID: "0505" },
    });

    expect(readArgs(argsFile)).toBe("status --latest --task 0505 --format json");
    expect(result.stdout).toContain("Status:   failed (stage:test:failed)\n");
    expect(result.stdout).toContain("Guardrails: spec-guard failed (1/1 failed).\n");
    expect(result.stdout).toContain(`Manifest: ${MANIFEST}\n`);
    expect(result.status).toBe(1);
  });

  it("fails when the status command prints no JSON", () => {
    const root = tempDir();
    const bin = fakeCli("#!/bin/sh\necho 'no runs found' >&2\nexit 2\n");

    const result = runNode("review.mjs", [], { cwd: root, env: { CODEX_ORCHESTRATOR_BIN: bin } });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("no runs found");
    expect(result.stderr).toContain('review: "status --latest" printed no JSON');
  });
});

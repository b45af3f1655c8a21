import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { spawnSync, type ChildProcess } from "node:child_process";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { assertCliBuilt, CLI_BIN, cliEnvironment, runCli, spawnCli } from "../helpers/cli.js";
import { command, pipeline, startJson, tempRepo } from "./support.js";

beforeAll(() => assertCliBuilt());

function outputOf(child: ChildProcess): { text: () => string; exited: Promise<number | null> } {
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return { text: () => text, exited };
}

async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("logs", () => {
  it("prints a run's output as text, stage by stage prefix, stderr marked, in the order it was written", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("two", [
          command("build", "printf 'compiling\\nlinking'; echo ' done'; echo 'warning: old' >&2"),
          command("test", "echo passed; exit 2"),
        ]),
      ],
    });
    const run = startJson(root, ["two"]);

    const result = runCli(root, ["logs", run.json.run_id]);

    expect(result.status).toBe(0);
    expect(result.stdout.trimEnd().split("\n")).toEqual([
      "run started",
      "[build] $ printf 'compiling\\nlinking'; echo ' done'; echo 'warning: old' >&2",
      "[build] compiling",
      "[build] linking done",
      "[build]! warning: old",
      "[build] ✔ exit 0",
      "[test] $ echo passed; exit 2",
      "[test] passed",
      "[test] ✖ exit 2",
      "run failed (stage:test:failed)",
    ]);

    const stage = runCli(root, ["logs", run.json.run_id, "--stage", "test"]);
    expect(stage.stdout).toBe("[test] $ echo passed; exit 2\n[test] passed\n[test] ✖ exit 2\n");
  });

  it("prints the stage logs' own NDJSON lines with --format json", () => {
    const root = tempRepo({ pipelines: [pipeline("one", [command("say", "echo hello")])] });
    const run = startJson(root, ["one"]);
    const stageLog = readFileSync(
      path.join(
        root,
        run.json.artifact_root,
        "commands",
        readdirSync(path.join(root, run.json.artifact_root, "commands"))[0]!,
      ),
      "utf8",
    );

    const result = runCli(root, ["logs", run.json.run_id, "--stage", "say", "--format", "json"]);

    expect(result.status).toBe(0);
    // The stage's lines exactly as written; runner.ndjson's state lines for the stage come too.
    const printed = result.stdout.trimEnd().split("\n");
    for (const line of stageLog.trimEnd().split("\n")) expect(printed).toContain(line);
    for (const line of printed) expect((JSON.parse(line) as { index: number }).index).toBe(1);
    // runner.ndjson's copies of command:start/end are not repeated.
    expect(printed.filter((line) => line.includes('"command:start"'))).toHaveLength(1);
  });

  it("refuses an unknown stage or run with exit 2", () => {
    const root = tempRepo({ pipelines: [pipeline("one", [command("say", "echo hello")])] });
    const run = startJson(root, ["one"]);

    const stage = runCli(root, ["logs", run.json.run_id, "--stage", "nope"]);
    const missing = runCli(root, ["logs", "2020-01-01T00-00-00-000Z-deadbeef"]);
    const invalid = runCli(root, ["logs", "../escape"]);

    expect(stage.status).toBe(2);
    expect(stage.stderr).toBe(
      `codex-orchestrator: Run ${run.json.run_id} has no stage "nope" (its stages: say)\n`,
    );
    expect(missing.status).toBe(2);
    expect(invalid.status).toBe(2);
  });

  it("--follow prints a live run's output from another process until the run ends", async () => {
    const root = tempRepo({
      pipelines: [
        pipeline("slow", [
          command("wait", "echo first; while [ ! -f go ]; do sleep 0.05; done; echo second; echo oops >&2"),
          command("after", "echo after"),
        ]),
      ],
    });
    const start = outputOf(spawnCli(root, ["start", "slow"]));
    const runsDir = path.join(root, ".runs", "0101", "cli");
    const runId = await waitFor("the run folder", () => {
      try {
        return readdirSync(runsDir)[0];
      } catch {
        return undefined;
      }
    });
    const follow = outputOf(spawnCli(root, ["logs", runId, "--follow"]));

    await waitFor("the first line", () => follow.text().includes("[wait] first\n"));
    expect(follow.text()).not.toContain("[wait] second");
    writeFileSync(path.join(root, "go"), "");
    expect(await start.exited).toBe(0);
    expect(await follow.exited).toBe(0);

    const lines = follow.text().trimEnd().split("\n");
    expect(lines).toContain("[wait] second");
    expect(lines).toContain("[wait]! oops");
    expect(lines).toContain("[after] after");
    expect(lines.at(-1)).toBe("run succeeded");
  });

  it("ends quietly with exit 0 when its reader goes away (logs … | head)", () => {
    const root = tempRepo({
      pipelines: [pipeline("big", [command("print", "yes 0123456789abcdef | head -c 30000000")])],
    });
    const run = startJson(root, ["big"], { env: { CODEX_ORCHESTRATOR_OUTPUT_LOGS: "none" } });

    const result = spawnSync(
      "sh",
      ["-c", `"${process.execPath}" "${CLI_BIN}" logs ${run.json.run_id} | head -n 3`],
      { cwd: root, env: cliEnvironment(root), encoding: "utf8", timeout: 60_000 },
    );

    expect(result.status).toBe(0);
    expect(result.stdout.split("\n").slice(0, 3)).toEqual([
      "run started",
      "[print] $ yes 0123456789abcdef | head -c 30000000",
      "[print] 0123456789abcdef",
    ]);
    expect(result.stderr).toBe("");
  });
});

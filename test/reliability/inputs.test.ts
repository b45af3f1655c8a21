import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configJson, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { command, pipeline, snapshotTree, stackLines, tempRepo } from "./support.js";

const CONFIG = { defaultPipeline: "p", pipelines: [pipeline("p", [command("one", "echo one")])] };
// A FIFO or a device must be refused at once; a hang is cut off here and fails the test.
const BOUNDED_MS = 5_000;

function expectRefused(result: ReturnType<typeof runCli>, pattern: RegExp): void {
  expect(result.signal, "the CLI hung and was killed").toBeNull();
  expect(result.status).toBe(2);
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stackLines(result.stderr)).toEqual([]);
}

describe("input files that are not regular files", () => {
  it.each([
    { name: "a FIFO", plant: (file: string) => spawnSync("mkfifo", [file]), pattern: /FIFO/ },
    {
      name: "a link to /dev/zero",
      plant: (file: string) => symlinkSync("/dev/zero", file),
      pattern: /character device/,
    },
    {
      name: "a link to /dev/urandom",
      plant: (file: string) => symlinkSync("/dev/urandom", file),
      pattern: /character device/,
    },
  ])("codex.orchestrator.json as $name: exit 2 at once, nothing written", ({ plant, pattern }) => {
    const root = tempDir("codex-orchestrator-reliability-");
    plant(path.join(root, "codex.orchestrator.json"));
    const started = Date.now();
    const result = runCli(root, ["start"], { timeoutMs: BOUNDED_MS });
    expect(Date.now() - started).toBeLessThan(BOUNDED_MS);
    expectRefused(result, pattern);
    // Not snapshotTree: it would read the FIFO itself.
    expect(readdirSync(root)).toEqual(["codex.orchestrator.json"]);
  });

  it("tasks/index.json as a FIFO: exit 2 at once", () => {
    const root = tempRepo(CONFIG);
    mkdirSync(path.join(root, "tasks"));
    spawnSync("mkfifo", [path.join(root, "tasks", "index.json")]);
    const result = runCli(root, ["start"], { timeoutMs: BOUNDED_MS });
    expectRefused(result, /tasks\/index\.json: it is a FIFO/);
  });

  it("a config larger than 8 MiB is refused", () => {
    const root = tempDir("codex-orchestrator-reliability-");
    writeFileSync(path.join(root, "codex.orchestrator.json"), " ".repeat(8 * 1024 * 1024 + 1));
    expectRefused(runCli(root, ["start"]), /larger than 8 MiB/);
  });
});

describe("config text", () => {
  it("a config saved with a UTF-8 byte order mark is accepted", () => {
    const root = tempRepo(CONFIG);
    writeFileSync(path.join(root, "codex.orchestrator.json"), `\uFEFF${configJson(CONFIG)}`);
    const result = runCli(root, ["start"]);
    expect(result.stderr).not.toMatch(/codex-orchestrator:/);
    expect(result.status).toBe(0);
  });

  it("a project path that is a link leading out of the repository: exit 2, nothing written", () => {
    const outside = tempDir("codex-orchestrator-outside-");
    writeFileSync(path.join(outside, "codex.orchestrator.json"), configJson(CONFIG));
    const root = tempRepo({ ...CONFIG, projects: [{ taskId: "web", path: "web" }] });
    symlinkSync(outside, path.join(root, "web"));
    const before = snapshotTree(outside);
    const result = runCli(root, ["start", "--task", "web"]);
    expectRefused(result, /projects\[0\]\.path: "web" leads outside the repository through a symbolic link/);
    expect(snapshotTree(outside)).toEqual(before);
  });
});

describe("task ids the runs layout reserves", () => {
  it.each([
    { source: "--task", args: ["start", "--task", "local-mcp"], env: {} },
    { source: "MCP_RUNNER_TASK_ID", args: ["start"], env: { MCP_RUNNER_TASK_ID: "local-mcp" } },
  ])("local-mcp from $source: exit 2 naming it, nothing written", ({ source, args, env }) => {
    const root = tempRepo(CONFIG);
    const result = runCli(root, args, { env });
    expectRefused(result, new RegExp(`Invalid task id "local-mcp" from ${source}: .*reserved`));
    expect(readdirSync(root)).toEqual(["codex.orchestrator.json"]);
  });
});

describe("a read-only runs directory", () => {
  it("is reported as read-only, not as a missing file", (context) => {
    const root = tempRepo(CONFIG);
    // As root, chmod does not stop writes: a read-only tmpfs does. Mounted outside tempDir so
    // that it is unmounted before anything tries to remove it.
    const mountPoint = mkdtempSync(path.join(os.tmpdir(), "codex-orchestrator-readonly-"));
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "ro", "tmpfs", mountPoint]);
    if (mounted.status !== 0) {
      rmSync(mountPoint, { recursive: true, force: true });
      context.skip("mounting a read-only tmpfs is not permitted here (needs root and CAP_SYS_ADMIN)");
    }
    try {
      const result = runCli(root, ["start"], { env: { CODEX_ORCHESTRATOR_RUNS_DIR: mountPoint } });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(/read-only file system \(EROFS\)/);
      expect(stackLines(result.stderr)).toEqual([]);
    } finally {
      spawnSync("umount", [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });
});

import path from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidIdError } from "../errors.js";
import { resolveLocations, resolveRunPaths, toRepoPath } from "./run-paths.js";

const ROOT = path.resolve("/repo");

describe("resolveLocations", () => {
  it("defaults to the cwd, <root>/.runs and <root>/out", () => {
    expect(resolveLocations({ env: {}, cwd: ROOT })).toEqual({
      root: ROOT,
      runsDir: path.join(ROOT, ".runs"),
      outDir: path.join(ROOT, "out"),
    });
  });

  it("reads CODEX_ORCHESTRATOR_ROOT, RUNS_DIR and OUT_DIR as absolute paths", () => {
    const env = {
      CODEX_ORCHESTRATOR_ROOT: "/elsewhere/project",
      CODEX_ORCHESTRATOR_RUNS_DIR: "/var/runs",
      CODEX_ORCHESTRATOR_OUT_DIR: "/var/out",
    };
    expect(resolveLocations({ env, cwd: ROOT })).toEqual({
      root: path.resolve("/elsewhere/project"),
      runsDir: path.resolve("/var/runs"),
      outDir: path.resolve("/var/out"),
    });
  });

  it("resolves a relative root against the cwd, relative runs/out dirs against the root", () => {
    const env = {
      CODEX_ORCHESTRATOR_ROOT: "project",
      CODEX_ORCHESTRATOR_RUNS_DIR: "artifacts/runs",
      CODEX_ORCHESTRATOR_OUT_DIR: "../state",
    };
    expect(resolveLocations({ env, cwd: ROOT })).toEqual({
      root: path.join(ROOT, "project"),
      runsDir: path.join(ROOT, "project", "artifacts", "runs"),
      outDir: path.join(ROOT, "state"),
    });
  });

  it("treats empty variables as unset", () => {
    const env = {
      CODEX_ORCHESTRATOR_ROOT: "",
      CODEX_ORCHESTRATOR_RUNS_DIR: "",
      CODEX_ORCHESTRATOR_OUT_DIR: "",
    };
    expect(resolveLocations({ env, cwd: ROOT }).runsDir).toBe(path.join(ROOT, ".runs"));
    expect(resolveLocations({ env, cwd: ROOT }).outDir).toBe(path.join(ROOT, "out"));
  });

  it("prefers an explicit root over CODEX_ORCHESTRATOR_ROOT", () => {
    const env = { CODEX_ORCHESTRATOR_ROOT: "/ignored" };
    expect(resolveLocations({ env, cwd: ROOT, root: "sub" }).root).toBe(path.join(ROOT, "sub"));
  });

  it("reads process.env by default", () => {
    const saved = process.env.CODEX_ORCHESTRATOR_OUT_DIR;
    process.env.CODEX_ORCHESTRATOR_OUT_DIR = "/from/process/env";
    try {
      expect(resolveLocations({ cwd: ROOT }).outDir).toBe(path.resolve("/from/process/env"));
    } finally {
      if (saved === undefined) delete process.env.CODEX_ORCHESTRATOR_OUT_DIR;
      else process.env.CODEX_ORCHESTRATOR_OUT_DIR = saved;
    }
  });
});

describe("resolveRunPaths", () => {
  const locations = { root: ROOT, runsDir: path.join(ROOT, ".runs"), outDir: path.join(ROOT, "out") };
  const runId = "2025-10-31T22-56-34-431Z-9574035c";

  it("builds every path of docs/contract.md §3", () => {
    const paths = resolveRunPaths(locations, { taskId: "0101", runId });
    const relative = Object.fromEntries(
      Object.entries(paths).map(([key, value]) => [
        key,
        key === "taskId" || key === "runId" ? value : toRepoPath(ROOT, value),
      ]),
    );
    const run = `.runs/0101/cli/${runId}`;
    expect(relative).toEqual({
      taskId: "0101",
      runId,
      taskDir: ".runs/0101",
      runDir: run,
      manifest: `${run}/manifest.json`,
      heartbeat: `${run}/.heartbeat`,
      resumeTokenJson: `${run}/resume-token.json`,
      resumeTokenText: `${run}/.resume-token`,
      runnerLog: `${run}/runner.ndjson`,
      commandsDir: `${run}/commands`,
      errorsDir: `${run}/errors`,
      runSummary: `${run}/run-summary.json`,
      pipelineSnapshot: `${run}/pipeline.json`,
      ownerLock: `${run}/.owner.lock`,
      childrenDir: `${run}/children`,
      mcpDir: `.runs/0101/mcp/${runId}`,
      mcpPointer: `.runs/0101/mcp/${runId}/manifest.json`,
      localMcpDir: `.runs/local-mcp/${runId}`,
      localMcpManifest: `.runs/local-mcp/${runId}/manifest.json`,
      localMcpCompat: `.runs/local-mcp/${runId}/compat.json`,
      metrics: ".runs/0101/metrics.json",
      stateDir: "out/0101",
      state: "out/0101/state.json",
    });
    for (const [key, value] of Object.entries(paths)) {
      if (key !== "taskId" && key !== "runId") expect(path.isAbsolute(value), key).toBe(true);
    }
  });

  it("refuses an unsafe id before building any path, naming its source", () => {
    expect(() => resolveRunPaths(locations, { taskId: "../x", runId }, { taskId: "--task" })).toThrow(
      InvalidIdError,
    );
    expect(() => resolveRunPaths(locations, { taskId: "../x", runId }, { taskId: "--task" })).toThrow(
      /task id "..\/x" from --task/,
    );
    expect(() => resolveRunPaths(locations, { taskId: "0101", runId: "a:b" })).toThrow(
      /run id "a:b" from the run id/,
    );
  });
});

describe("toRepoPath", () => {
  it("is relative to the root with forward slashes", () => {
    expect(toRepoPath(ROOT, path.join(ROOT, ".runs", "0101", "metrics.json"))).toBe(
      ".runs/0101/metrics.json",
    );
  });
});

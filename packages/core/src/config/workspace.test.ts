import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../../test/helpers/temp-dir.js";
import { configJson } from "../../test/support.js";
import { ConfigError, TaskRegistryError } from "../errors.js";
import { DEFAULT_TASK_ID, findProjectForDirectory, loadWorkspace, resolveTaskId } from "./workspace.js";

function registryRepo() {
  const dir = tempDir();
  writeFiles(dir, {
    "codex.orchestrator.json": configJson({
      projects: [
        { taskId: "0201", path: "packages/app", name: "app" },
        { taskId: "0202", path: "packages/app/plugins/extra" },
        { taskId: "0101", path: "." },
      ],
    }),
    "packages/app/plugins/extra/src/.keep": "",
  });
  return { dir, workspace: loadWorkspace(dir) };
}

describe("resolveTaskId", () => {
  it("defaults to 0101 without flag, variable or registry", () => {
    const dir = tempDir();
    const resolved = resolveTaskId(loadWorkspace(dir), { env: {}, cwd: dir });
    expect(resolved).toEqual({ taskId: DEFAULT_TASK_ID, source: "the default task id" });
    expect(DEFAULT_TASK_ID).toBe("0101");
  });

  it("prefers the flag over MCP_RUNNER_TASK_ID and the project folder", () => {
    const { dir, workspace } = registryRepo();
    const resolved = resolveTaskId(workspace, {
      flag: "0202",
      env: { MCP_RUNNER_TASK_ID: "0201" },
      cwd: `${dir}/packages/app`,
    });
    expect(resolved).toEqual({ taskId: "0202", source: "the `taskId` option" });
  });

  it("prefers MCP_RUNNER_TASK_ID over the project folder", () => {
    const { dir, workspace } = registryRepo();
    const resolved = resolveTaskId(workspace, {
      env: { MCP_RUNNER_TASK_ID: "0202" },
      cwd: `${dir}/packages/app`,
    });
    expect(resolved).toEqual({ taskId: "0202", source: "MCP_RUNNER_TASK_ID" });
  });

  it("ignores an empty MCP_RUNNER_TASK_ID", () => {
    const { dir, workspace } = registryRepo();
    expect(
      resolveTaskId(workspace, { env: { MCP_RUNNER_TASK_ID: "" }, cwd: `${dir}/packages/app` }).taskId,
    ).toBe("0201");
  });

  it("picks the deepest registered project folder containing cwd", () => {
    const { dir, workspace } = registryRepo();
    expect(resolveTaskId(workspace, { env: {}, cwd: `${dir}/packages/app/plugins/extra/src` })).toEqual({
      taskId: "0202",
      source: "the project folder packages/app/plugins/extra",
    });
    expect(resolveTaskId(workspace, { env: {}, cwd: `${dir}/packages/app/plugins` }).taskId).toBe("0201");
    expect(resolveTaskId(workspace, { env: {}, cwd: dir })).toEqual({
      taskId: "0101",
      source: "the project folder .",
    });
  });

  it("does not treat a sibling folder with a common prefix as inside a project", () => {
    const { dir, workspace } = registryRepo();
    expect(findProjectForDirectory(workspace, `${dir}/packages/app-two`)?.taskId).toBe("0101");
  });

  it("refuses an unregistered task id when a registry exists, naming its source and the registered ids", () => {
    const { workspace } = registryRepo();
    let caught: unknown;
    try {
      resolveTaskId(workspace, { env: { MCP_RUNNER_TASK_ID: "0999" } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TaskRegistryError);
    const error = caught as TaskRegistryError;
    expect(error.code).toBe("ERR_TASK_UNREGISTERED");
    expect(error.message).toBe(
      'Task id "0999" from MCP_RUNNER_TASK_ID is not registered in codex.orchestrator.json',
    );
    expect(error.hint).toBe(
      "Registered projects: 0201 (packages/app), 0202 (packages/app/plugins/extra), 0101 (.).",
    );
  });

  it("refuses the default task id outside every project when a registry exists", () => {
    const dir = tempDir();
    writeFiles(dir, {
      "codex.orchestrator.json": configJson({ projects: [{ taskId: "0201", path: "packages/app" }] }),
    });
    expect(() => resolveTaskId(loadWorkspace(dir), { env: {}, cwd: dir })).toThrow(TaskRegistryError);
  });
});

describe("loadWorkspace", () => {
  it("refuses a duplicate taskId among projects", () => {
    const dir = tempDir();
    writeFiles(dir, {
      "codex.orchestrator.json": configJson({
        projects: [
          { taskId: "0201", path: "a" },
          { taskId: "0201", path: "b" },
        ],
      }),
    });
    expect(() => loadWorkspace(dir)).toThrow(ConfigError);
    expect(() => loadWorkspace(dir)).toThrow(
      /projects\[1\]\.taskId: task id "0201" is already claimed by projects\[0\]/,
    );
  });

  it("refuses a project outside the repository and an unsafe task id", () => {
    const outside = tempDir();
    writeFiles(outside, {
      "codex.orchestrator.json": configJson({ projects: [{ taskId: "0201", path: "../elsewhere" }] }),
    });
    expect(() => loadWorkspace(outside)).toThrow(
      /projects\[0\]\.path: "\.\.\/elsewhere" is outside the repository/,
    );
    const unsafe = tempDir();
    writeFiles(unsafe, {
      "codex.orchestrator.json": configJson({ projects: [{ taskId: "../x", path: "x" }] }),
    });
    expect(() => loadWorkspace(unsafe)).toThrow(/projects\[0\]\.taskId: invalid task id/);
  });

  it("reads task slugs from tasks/index.json and reports a malformed one with its place", () => {
    const dir = tempDir();
    writeFiles(dir, {
      "tasks/index.json": configJson({ tasks: [{ id: "0101", slug: "wrapper", title: "Wrapper" }] }),
    });
    expect(loadWorkspace(dir).tasks.get("0101")?.slug).toBe("wrapper");
    writeFiles(dir, { "tasks/index.json": '{ "tasks": [ { "id": 7 } ] }' });
    expect(() => loadWorkspace(dir)).toThrow("tasks/index.json: tasks[0].id: expected a string");
    writeFiles(dir, { "tasks/index.json": '{\n  "tasks": [\n' });
    expect(() => loadWorkspace(dir)).toThrow(/^tasks\/index\.json:3:1: invalid JSON/);
  });

  it("reads the original CLI's tasks/index.json form ({items, specs}) beside ours", () => {
    const dir = tempDir();
    writeFiles(dir, {
      "tasks/index.json": configJson({
        items: [{ id: "0202", slug: "orchestrator-hardening", title: "Hardening", kind: "prd", gate: null }],
        specs: [],
      }),
    });
    expect(loadWorkspace(dir).tasks.get("0202")).toEqual({
      id: "0202",
      slug: "orchestrator-hardening",
      title: "Hardening",
      path: null,
    });
    writeFiles(dir, {
      "tasks/index.json": configJson({
        items: [{ id: "0101", slug: "a" }],
        tasks: [{ id: "0101", slug: "b" }],
      }),
    });
    expect(loadWorkspace(dir).tasks.get("0101")?.slug).toBe("a");
    writeFiles(dir, { "tasks/index.json": '{ "items": [ { "id": "../x" } ] }' });
    expect(() => loadWorkspace(dir)).toThrow("tasks/index.json: items[0].id: invalid task id");
    writeFiles(dir, { "tasks/index.json": '{ "specs": [] }' });
    expect(() => loadWorkspace(dir)).toThrow("tasks/index.json: items: expected an array of tasks");
  });
});

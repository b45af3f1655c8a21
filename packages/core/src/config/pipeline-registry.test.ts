import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../../test/helpers/temp-dir.js";
import { commandStage, configJson } from "../../test/support.js";
import { ConfigError, PipelineCycleError, UnknownPipelineError } from "../errors.js";
import { defaultPipelineId, listPipelineIds, resolvePipeline } from "./pipeline-registry.js";
import { loadWorkspace } from "./workspace.js";
import { catchError } from "../../../../test/helpers/catch-error.js";

// Inside a run (these tests run as a stage of the repository's own pipelines) the CLI that started
// it is named in CODEX_ORCHESTRATOR_CLI, which the built-in guard command follows: not here.
let outerCli: string | undefined;
beforeEach(() => {
  outerCli = process.env.CODEX_ORCHESTRATOR_CLI;
  delete process.env.CODEX_ORCHESTRATOR_CLI;
});
afterEach(() => {
  if (outerCli !== undefined) process.env.CODEX_ORCHESTRATOR_CLI = outerCli;
});

function workspaceWith(config?: unknown, extraFiles: Record<string, string> = {}) {
  const dir = tempDir();
  writeFiles(dir, {
    ...(config === undefined ? {} : { "codex.orchestrator.json": configJson(config) }),
    ...extraFiles,
  });
  return { dir, workspace: loadWorkspace(dir) };
}

function stageSummary(pipeline: ReturnType<typeof resolvePipeline>) {
  return pipeline.stages.map(({ stage }) => [
    stage.id,
    stage.kind === "command" ? stage.command : stage.kind,
  ]);
}

describe("resolvePipeline", () => {
  it("resolves the built-in diagnostics pipeline with its exact commands", () => {
    const { dir, workspace } = workspaceWith();
    const pipeline = resolvePipeline(workspace, "0101", "diagnostics");
    expect(pipeline).toMatchObject({
      id: "diagnostics",
      title: "Diagnostics Pipeline",
      source: "built-in",
      extends: [],
    });
    expect(stageSummary(pipeline)).toEqual([
      ["build", "npm run build"],
      ["lint", "npm run lint"],
      ["test", "npm run test"],
      ["spec-guard", "codex-orchestrator spec-guard --dry-run"],
    ]);
    for (const stage of pipeline.stages) {
      expect(stage.origin).toBe("built-in diagnostics");
      expect(stage.baseDirectory).toBe(dir);
    }
  });

  it("lets the repo config replace a built-in pipeline of the same id", () => {
    const { workspace } = workspaceWith({
      pipelines: [
        { id: "diagnostics", title: "Our diagnostics", stages: [commandStage("check", "echo check")] },
      ],
    });
    const pipeline = resolvePipeline(workspace, "0101", "diagnostics");
    expect(pipeline.title).toBe("Our diagnostics");
    expect(pipeline.source).toBe("codex.orchestrator.json");
    expect(stageSummary(pipeline)).toEqual([["check", "echo check"]]);
    expect(pipeline.stages[0]?.origin).toBe("codex.orchestrator.json pipelines[0].stages[0]");
  });

  it("flattens extends with before and after around the inherited stages", () => {
    const { workspace } = workspaceWith({
      pipelines: [
        {
          id: "ci",
          extends: "diagnostics",
          before: [commandStage("install", "npm ci")],
          after: [commandStage("smoke", "npm run smoke"), commandStage("report", "echo done")],
        },
      ],
    });
    const pipeline = resolvePipeline(workspace, "0101", "ci");
    expect(pipeline.title).toBe("Diagnostics Pipeline");
    expect(pipeline.extends).toEqual(["diagnostics"]);
    expect(pipeline.stages.map((stage) => [stage.stage.id, stage.origin])).toEqual([
      ["install", "codex.orchestrator.json pipelines[0].before[0]"],
      ["build", "built-in diagnostics"],
      ["lint", "built-in diagnostics"],
      ["test", "built-in diagnostics"],
      ["spec-guard", "built-in diagnostics"],
      ["smoke", "codex.orchestrator.json pipelines[0].after[0]"],
      ["report", "codex.orchestrator.json pipelines[0].after[1]"],
    ]);
  });

  it("lets a pipeline extend the built-in of its own id", () => {
    const { workspace } = workspaceWith({
      pipelines: [
        { id: "diagnostics", extends: "diagnostics", after: [commandStage("smoke", "npm run smoke")] },
      ],
    });
    const pipeline = resolvePipeline(workspace, "0101", "diagnostics");
    expect(pipeline.source).toBe("codex.orchestrator.json");
    expect(pipeline.extends).toEqual(["diagnostics"]);
    expect(pipeline.stages.map((stage) => stage.stage.id)).toEqual([
      "build",
      "lint",
      "test",
      "spec-guard",
      "smoke",
    ]);
  });

  it("follows extends chains and records them nearest first", () => {
    const { workspace } = workspaceWith({
      pipelines: [
        { id: "base", title: "Base", stages: [commandStage("one", "true")] },
        { id: "middle", extends: "base", after: [commandStage("two", "true")] },
        { id: "top", title: "Top", extends: "middle", after: [commandStage("three", "true")] },
      ],
    });
    const pipeline = resolvePipeline(workspace, "0101", "top");
    expect(pipeline.title).toBe("Top");
    expect(pipeline.extends).toEqual(["middle", "base"]);
    expect(pipeline.stages.map((stage) => stage.stage.id)).toEqual(["one", "two", "three"]);
  });

  it("refuses an extends cycle and lists the cycle", () => {
    const { workspace } = workspaceWith({
      pipelines: [
        { id: "a", extends: "b", after: [commandStage("x", "true")] },
        { id: "b", extends: "c", after: [commandStage("y", "true")] },
        { id: "c", extends: "a", after: [commandStage("z", "true")] },
      ],
    });
    const error = catchError(() => resolvePipeline(workspace, "0101", "a")) as PipelineCycleError;
    expect(error).toBeInstanceOf(PipelineCycleError);
    expect(error.code).toBe("ERR_PIPELINE_CYCLE");
    expect(error.cycle).toEqual(["a", "b", "c", "a"]);
    expect(error.message).toBe("Pipeline extends cycle: a → b → c → a");
  });

  it("refuses an unknown pipeline and lists the known ids", () => {
    const { workspace } = workspaceWith({
      pipelines: [{ id: "smoke", title: "Smoke", stages: [commandStage("s", "true")] }],
    });
    const error = catchError(() => resolvePipeline(workspace, "0101", "nope")) as UnknownPipelineError;
    expect(error).toBeInstanceOf(UnknownPipelineError);
    expect(error.code).toBe("ERR_UNKNOWN_PIPELINE");
    expect(error.usage).toBe(true);
    expect(error.known).toEqual(["diagnostics", "smoke"]);
    expect(error.message).toBe('Unknown pipeline "nope" for task 0101. Known pipelines: diagnostics, smoke');
  });

  it("names the pipeline that extends an unknown one", () => {
    const { workspace } = workspaceWith({
      pipelines: [{ id: "ci", extends: "ghost", after: [commandStage("s", "true")] }],
    });
    expect(() => resolvePipeline(workspace, "0101", "ci")).toThrow(
      'Unknown pipeline "ghost" (extended by ci)',
    );
  });

  it("refuses a stage id that collides with an inherited one", () => {
    const { workspace } = workspaceWith({
      pipelines: [{ id: "ci", extends: "diagnostics", after: [commandStage("lint", "echo again")] }],
    });
    const error = catchError(() => resolvePipeline(workspace, "0101", "ci"));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('duplicate stage id "lint"');
  });

  it("prefers a registered project's own config, resolving its stage cwds from the project folder", () => {
    const { dir, workspace } = workspaceWith(
      {
        projects: [{ taskId: "0201", path: "packages/web" }],
        pipelines: [{ id: "smoke", title: "Root smoke", stages: [commandStage("root", "true")] }],
      },
      {
        "packages/web/codex.orchestrator.json": configJson({
          defaultPipeline: "smoke",
          pipelines: [{ id: "smoke", title: "Web smoke", stages: [commandStage("web", "true")] }],
        }),
      },
    );
    const web = resolvePipeline(workspace, "0201", "smoke");
    expect(web.title).toBe("Web smoke");
    expect(web.source).toBe("packages/web/codex.orchestrator.json");
    expect(web.stages[0]?.baseDirectory).toBe(`${dir}/packages/web`);
    // Built-ins are repository-wide: they run at the root, where scripts/spec-guard.sh lives.
    expect(resolvePipeline(workspace, "0201", "diagnostics").stages[0]?.baseDirectory).toBe(dir);
    expect(defaultPipelineId(workspace, "0201")).toBe("smoke");
    expect(defaultPipelineId(workspace, "0101")).toBe("diagnostics");
    expect(listPipelineIds(workspace, "0201")).toEqual(["diagnostics", "smoke"]);
  });
});

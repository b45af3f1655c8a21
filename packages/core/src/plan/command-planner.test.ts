import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../../test/helpers/temp-dir.js";
import { commandStage, configJson, createOrchestrator } from "../../test/support.js";
import { CommandPlanner, describePlan } from "./command-planner.js";
import { PipelineCycleError } from "../errors.js";
import { loadWorkspace } from "../config/workspace.js";

function repo(config: unknown) {
  const dir = tempDir();
  writeFiles(dir, { "codex.orchestrator.json": configJson(config), "packages/web/.keep": "" });
  return dir;
}

function subpipeline(id: string, pipeline: string, task?: string) {
  return { kind: "subpipeline", id, title: id, pipeline, ...(task === undefined ? {} : { task }) };
}

describe("CommandPlanner subpipeline cycles", () => {
  it("refuses pipelines that nest each other and shows the cycle path", () => {
    const dir = repo({
      pipelines: [
        {
          id: "outer",
          title: "Outer",
          stages: [commandStage("a", "true"), subpipeline("go-middle", "middle")],
        },
        { id: "middle", title: "Middle", stages: [subpipeline("go-inner", "inner")] },
        { id: "inner", title: "Inner", stages: [subpipeline("back", "outer")] },
      ],
    });
    let caught: unknown;
    try {
      new CommandPlanner(loadWorkspace(dir)).plan("0101", "outer");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PipelineCycleError);
    expect((caught as PipelineCycleError).cycle).toEqual(["outer", "middle", "inner", "outer"]);
    expect((caught as Error).message).toBe("Pipeline subpipeline cycle: outer → middle → inner → outer");
  });

  it("refuses a pipeline that nests itself", () => {
    const dir = repo({ pipelines: [{ id: "self", title: "Self", stages: [subpipeline("again", "self")] }] });
    expect(() => new CommandPlanner(loadWorkspace(dir)).plan("0101", "self")).toThrow(
      "Pipeline subpipeline cycle: self → self",
    );
  });

  it("allows the same pipeline nested twice without a loop, and across tasks", () => {
    const dir = repo({
      projects: [
        { taskId: "0101", path: "." },
        { taskId: "0201", path: "packages/web" },
      ],
      pipelines: [
        { id: "leaf", title: "Leaf", stages: [commandStage("x", "true")] },
        {
          id: "tree",
          title: "Tree",
          stages: [
            subpipeline("one", "leaf"),
            subpipeline("two", "leaf"),
            subpipeline("web", "tree-web", "0201"),
          ],
        },
        { id: "tree-web", title: "Web", stages: [subpipeline("leaf", "leaf", "0101")] },
      ],
    });
    const plan = new CommandPlanner(loadWorkspace(dir)).plan("0101", "tree");
    expect(plan.items.map((item) => item.stage.id)).toEqual(["one", "two", "web"]);
  });
});

describe("describePlan", () => {
  const config = {
    pipelines: [
      {
        id: "ci",
        extends: "diagnostics",
        before: [
          commandStage("prepare", "echo prep", {
            cwd: "packages/web",
            env: { MODE: "ci" },
            allowFailure: true,
          }),
        ],
        after: [
          commandStage("audit", "npm audit", { guardrail: true, timeoutSeconds: 30, retries: 2 }),
          { kind: "manual", id: "sign-off", title: "Sign off", instructions: "Read the diff" },
        ],
      },
    ],
  };

  it("describes every stage: guardrail flags, origin, cwd, env and options", async () => {
    const dir = repo(config);
    const { output } = await createOrchestrator(dir).plan("ci");
    expect(output.task_id).toBe("0101");
    expect(output.pipeline).toEqual({
      id: "ci",
      title: "Diagnostics Pipeline",
      description: "Build, lint and test the project, then run the spec guard.",
      source: "user",
      defined_in: "codex.orchestrator.json",
      extends: ["diagnostics"],
      concurrency: null,
      continue_on_failure: false,
    });
    // The original CLI's plan: one item per stage, `<pipeline>:<stage>`, notes the description.
    expect(output.plan.items[0]).toEqual({
      id: "ci:prepare",
      description: expect.any(String),
      requires_cloud: false,
    });
    expect(output.plan.items).toHaveLength(output.stages.length);
    expect(output.plan.notes).toBe("Build, lint and test the project, then run the spec guard.");
    expect(output.stages.map((stage) => [stage.index, stage.id, stage.guardrail])).toEqual([
      [1, "prepare", false],
      [2, "build", false],
      [3, "lint", false],
      [4, "test", false],
      [5, "spec-guard", true],
      [6, "audit", true],
      [7, "sign-off", false],
    ]);
    expect(output.stages[0]).toMatchObject({
      origin: "codex.orchestrator.json pipelines[0].before[0]",
      command: "echo prep",
      cwd: "packages/web",
      env: { MODE: "ci" },
      allow_failure: true,
    });
    expect(output.stages[1]).toMatchObject({
      origin: "built-in diagnostics",
      cwd: ".",
      env: {},
      allow_failure: false,
    });
    expect(output.stages[5]).toMatchObject({ timeout_seconds: 30, retries: 2 });
    expect(output.stages[6]).toMatchObject({
      kind: "manual",
      command: null,
      cwd: null,
      instructions: "Read the diff",
    });
    expect(output.guardrails).toEqual({ present: true, stages: ["spec-guard", "audit"] });
    expect(output.plan_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("keeps the plan hash stable across calls and changes it when a command changes", async () => {
    const dir = repo(config);
    const first = (await createOrchestrator(dir).plan("ci")).output.plan_hash;
    const again = await createOrchestrator(dir).plan("ci");
    expect(again.output.plan_hash).toBe(first);
    expect(describePlan(dir, again.plan).plan_hash).toBe(first);

    const changed = structuredClone(config);
    (changed.pipelines[0]!.before[0] as { command: string }).command = "echo prepared";
    writeFiles(dir, { "codex.orchestrator.json": configJson(changed) });
    expect((await createOrchestrator(dir).plan("ci")).output.plan_hash).not.toBe(first);
  });

  it("changes the plan hash when a stage's env or cwd changes", async () => {
    const dir = repo(config);
    const first = (await createOrchestrator(dir).plan("ci")).output.plan_hash;
    const changedEnv = structuredClone(config);
    (changedEnv.pipelines[0]!.before[0] as Record<string, unknown>).env = { MODE: "local" };
    writeFiles(dir, { "codex.orchestrator.json": configJson(changedEnv) });
    const second = (await createOrchestrator(dir).plan("ci")).output.plan_hash;
    expect(second).not.toBe(first);
    const changedCwd = structuredClone(changedEnv);
    (changedCwd.pipelines[0]!.before[0] as Record<string, unknown>).cwd = ".";
    writeFiles(dir, { "codex.orchestrator.json": configJson(changedCwd) });
    expect((await createOrchestrator(dir).plan("ci")).output.plan_hash).not.toBe(second);
  });
});

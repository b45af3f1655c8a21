import type { Stage } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { ConfigError, PipelineCycleError } from "../errors.js";
import { buildStageGraph, resolveNeeds, type GraphStage } from "./stage-graph.js";
import { catchError } from "../../../../test/helpers/catch-error.js";

function stage(id: string, needs?: string[]): Stage {
  return { kind: "command", id, title: id, command: `echo ${id}`, ...(needs === undefined ? {} : { needs }) };
}

function graphStages(stages: Stage[]): GraphStage[] {
  return stages.map((item, position) => ({
    index: position + 1,
    stage: item,
    origin: `codex.orchestrator.json pipelines[0].stages[${position}]`,
  }));
}

function build(stages: Stage[]) {
  return buildStageGraph("demo", graphStages(stages));
}

describe("resolveNeeds", () => {
  it("makes a stage without needs need the stage before it, and the first stage need nothing", () => {
    expect(resolveNeeds([stage("a"), stage("b"), stage("c")])).toEqual([[], ["a"], ["b"]]);
  });

  it("keeps explicit needs (without duplicates) and `needs: []` as independent", () => {
    expect(resolveNeeds([stage("a"), stage("b", []), stage("c", ["a", "b", "a"]), stage("d")])).toEqual([
      [],
      [],
      ["a", "b"],
      ["c"],
    ]);
  });
});

describe("buildStageGraph", () => {
  it("lays a pipeline without needs out as a chain, one stage per wave", () => {
    const graph = build([stage("a"), stage("b"), stage("c")]);
    expect([...graph.needs]).toEqual([
      [1, []],
      [2, [1]],
      [3, [2]],
    ]);
    expect([...graph.dependents]).toEqual([
      [1, [2]],
      [2, [3]],
      [3, []],
    ]);
    expect(graph.waves).toEqual([[1], [2], [3]]);
  });

  it("puts independent stages (`needs: []`) in the first wave together", () => {
    const graph = build([stage("a", []), stage("b", []), stage("c", []), stage("d", [])]);
    expect(graph.waves).toEqual([[1, 2, 3, 4]]);
    for (const index of [1, 2, 3, 4]) expect(graph.needs.get(index)).toEqual([]);
  });

  it("places each stage one wave after the latest of its needs, needs sorted by position", () => {
    // lint (1) and unit (2) independent; build (3) needs both; docs (4) needs lint only; e2e (5)
    // implicitly needs docs; deploy (6) needs build and e2e.
    const graph = build([
      stage("lint", []),
      stage("unit", []),
      stage("build", ["unit", "lint"]),
      stage("docs", ["lint"]),
      stage("e2e"),
      stage("deploy", ["e2e", "build"]),
    ]);
    expect(graph.needs.get(3)).toEqual([1, 2]);
    expect(graph.needs.get(5)).toEqual([4]);
    expect(graph.needs.get(6)).toEqual([3, 5]);
    expect(graph.dependents.get(1)).toEqual([3, 4]);
    expect(graph.dependents.get(2)).toEqual([3]);
    expect(graph.waves).toEqual([[1, 2], [3, 4], [5], [6]]);
  });

  it("lets a stage need a later one", () => {
    const graph = build([stage("report", ["collect"]), stage("collect", [])]);
    expect(graph.waves).toEqual([[2], [1]]);
    expect(graph.dependents.get(2)).toEqual([1]);
  });

  it("refuses a need that names no stage of the pipeline, naming the stage, the need and the stages", () => {
    const error = catchError(() => build([stage("a", []), stage("b", ["a", "nope"])]));
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe("ERR_CONFIG_INVALID");
    expect(configError.usage).toBe(true);
    expect(configError.message).toBe(
      'codex.orchestrator.json pipelines[0].stages[1]: stage "b" of pipeline "demo" needs "nope", which is not one of its stages (a, b)',
    );
  });

  it("refuses a stage that needs itself as a cycle of one", () => {
    const error = catchError(() => build([stage("a", []), stage("b", ["b"])]));
    expect(error).toBeInstanceOf(PipelineCycleError);
    const cycle = error as PipelineCycleError;
    expect(cycle.code).toBe("ERR_PIPELINE_CYCLE");
    expect(cycle.usage).toBe(true);
    expect(cycle.cycle).toEqual(["b", "b"]);
    expect(cycle.message).toBe('Stages of pipeline "demo" need each other in a cycle: b → b');
  });

  it("refuses a three-stage cycle, naming the stages on it in order and not the others", () => {
    // x → y → z → x; "free" and "after" are not on the cycle ("after" needs one that is).
    const error = catchError(() =>
      build([
        stage("free", []),
        stage("x", ["z"]),
        stage("y", ["x"]),
        stage("z", ["y"]),
        stage("after", ["z"]),
      ]),
    );
    expect(error).toBeInstanceOf(PipelineCycleError);
    const cycle = (error as PipelineCycleError).cycle;
    expect(cycle).toHaveLength(4);
    expect(cycle[0]).toBe(cycle[3]);
    expect(new Set(cycle)).toEqual(new Set(["x", "y", "z"]));
    // Each stage on the list is needed by the one before it... or needs it: either way, consecutive
    // names are joined by a `needs` edge.
    const needs: Record<string, string> = { x: "z", y: "x", z: "y" };
    const forward = cycle.slice(0, 3).every((id, position) => needs[cycle[position + 1] as string] === id);
    const backward = cycle.slice(0, 3).every((id, position) => needs[id] === cycle[position + 1]);
    expect(forward || backward).toBe(true);
    const message = (error as PipelineCycleError).message;
    expect(message).toMatch(/^Stages of pipeline "demo" need each other in a cycle: /);
    expect(message).toContain(cycle.join(" → "));
    expect(message).toBe('Stages of pipeline "demo" need each other in a cycle: x → y → z → x');
    expect(message).not.toContain("free");
    expect(message).not.toContain("after");
  });

  it("refuses a cycle made of implicit needs and an explicit one", () => {
    // b implicitly needs a; a needs b.
    const error = catchError(() => build([stage("a", ["b"]), stage("b")]));
    expect(error).toBeInstanceOf(PipelineCycleError);
    expect(new Set((error as PipelineCycleError).cycle)).toEqual(new Set(["a", "b"]));
  });
});

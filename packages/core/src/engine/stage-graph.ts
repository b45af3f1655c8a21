import type { Stage } from "@codex/orchestrator-schema";
import { ConfigError, PipelineCycleError } from "../errors.js";

/** A stage with its position, as the graph sees it. */
export interface GraphStage {
  /** 1-based position in the pipeline. */
  index: number;
  stage: Stage;
  /** Where the stage is defined, for errors (`codex.orchestrator.json pipelines[0].stages[2]`). */
  origin: string;
}

/** The stages of one pipeline as a graph: what each needs, what needs it, and its waves. */
export interface StageGraph {
  /** By 1-based index: the indices of the stages it needs, in pipeline order. */
  needs: ReadonlyMap<number, readonly number[]>;
  /** By 1-based index: the indices of the stages that need it. */
  dependents: ReadonlyMap<number, readonly number[]>;
  /** Stage indices by wave: a wave's stages can run together once every earlier wave is done. */
  waves: readonly (readonly number[])[];
}

/**
 * The ids each stage needs. A stage that does not say `needs` needs the stage before it, so a
 * pipeline written without `needs` keeps its order; `needs: []` makes a stage independent.
 */
export function resolveNeeds(stages: readonly Stage[]): string[][] {
  return stages.map((stage, position) => {
    if (stage.needs !== undefined) return [...new Set(stage.needs)];
    const previous = stages[position - 1];
    return previous === undefined ? [] : [previous.id];
  });
}

/**
 * Builds and checks a pipeline's stage graph: a need that names no stage of the pipeline, a stage
 * that needs itself, and a cycle are config errors that name the stages involved.
 */
export function buildStageGraph(pipelineId: string, stages: readonly GraphStage[]): StageGraph {
  const indexById = new Map(stages.map((item) => [item.stage.id, item.index]));
  const resolved = resolveNeeds(stages.map((item) => item.stage));
  const needs = new Map<number, number[]>();
  const dependents = new Map<number, number[]>(stages.map((item) => [item.index, []]));
  stages.forEach((item, position) => {
    const ids = resolved[position] ?? [];
    const indices: number[] = [];
    for (const id of ids) {
      const index = indexById.get(id);
      if (index === undefined) {
        throw new ConfigError(
          `${item.origin}: stage "${item.stage.id}" of pipeline "${pipelineId}" needs "${id}", which is not one of its stages (${[...indexById.keys()].join(", ")})`,
        );
      }
      if (index === item.index)
        throw new PipelineCycleError("needs", [item.stage.id, item.stage.id], pipelineId);
      indices.push(index);
      dependents.get(index)?.push(item.index);
    }
    needs.set(
      item.index,
      indices.sort((left, right) => left - right),
    );
  });
  return { needs, dependents, waves: layWaves(pipelineId, stages, needs) };
}

// Kahn's algorithm by levels: a stage's wave is one more than the latest wave among its needs. A
// stage left over once no wave can be formed sits on a cycle, which is then traced for the error.
function layWaves(
  pipelineId: string,
  stages: readonly GraphStage[],
  needs: ReadonlyMap<number, readonly number[]>,
): number[][] {
  const waveOf = new Map<number, number>();
  const waves: number[][] = [];
  let remaining = stages.map((item) => item.index);
  while (remaining.length > 0) {
    const wave = remaining.filter((index) => (needs.get(index) ?? []).every((need) => waveOf.has(need)));
    if (wave.length === 0)
      throw new PipelineCycleError("needs", traceCycle(stages, needs, remaining), pipelineId);
    for (const index of wave) waveOf.set(index, waves.length);
    waves.push(wave);
    remaining = remaining.filter((index) => !waveOf.has(index));
  }
  return waves;
}

function traceCycle(
  stages: readonly GraphStage[],
  needs: ReadonlyMap<number, readonly number[]>,
  remaining: readonly number[],
): string[] {
  const idOf = new Map(stages.map((item) => [item.index, item.stage.id]));
  const left = new Set(remaining);
  const trail: number[] = [];
  let current = remaining[0] as number;
  // Every stage left over needs another one left over, so walking needs must come back round.
  while (!trail.includes(current)) {
    trail.push(current);
    current = (needs.get(current) ?? []).find((need) => left.has(need)) as number;
  }
  const cycle = trail.slice(trail.indexOf(current));
  return [...cycle, current].reverse().map((index) => idOf.get(index) ?? String(index));
}

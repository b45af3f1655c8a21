import type { CacheSettings, PipelineCacheDefaults, Stage, StageCache } from "@codex/orchestrator-schema";

/** A stage's `cache` with every default filled in: what the key and the stored entry are made of. */
export interface StageCacheSpec {
  inputs: string[];
  outputs: string[];
  env: string[];
  reuseGuardrail: boolean;
}

/** Without `inputs`, every file under the stage's cwd is an input (outputs and runs excluded). */
export const DEFAULT_INPUTS: readonly string[] = ["**/*"];

type Defaults = PipelineCacheDefaults | CacheSettings | undefined;

/**
 * The stage with its `cache` resolved against the defaults (the pipeline's, then its config
 * file's, then the root config's): each field the stage leaves out comes from the first default
 * that sets it. A stage without `cache`, or with `cache: false`, is returned as it is.
 */
export function withCacheDefaults(stage: Stage, defaults: readonly Defaults[]): Stage {
  if (stage.kind !== "command" || stage.cache === undefined || stage.cache === false) return stage;
  const own = stage.cache === true ? {} : stage.cache;
  const pick = <K extends "inputs" | "outputs" | "env">(key: K): string[] | undefined =>
    own[key] ?? defaults.find((layer) => layer?.[key] !== undefined)?.[key];
  const resolved: StageCache = {
    inputs: pick("inputs") ?? [...DEFAULT_INPUTS],
    outputs: pick("outputs") ?? [],
    env: pick("env") ?? [],
    ...(own.reuseGuardrail === undefined ? {} : { reuseGuardrail: own.reuseGuardrail }),
  };
  return { ...stage, cache: resolved };
}

/**
 * What a plan item's cache is, or why it has none: not a cached command stage, or a guardrail
 * whose config does not allow reusing it.
 */
export function stageCacheSpec(
  stage: Stage,
  guardrail: boolean,
): { spec: StageCacheSpec; reason: null } | { spec: null; reason: string | null } {
  if (stage.kind !== "command" || stage.cache === undefined || stage.cache === false)
    return { spec: null, reason: null };
  const cache = stage.cache === true ? {} : stage.cache;
  if (guardrail && cache.reuseGuardrail !== true)
    return { spec: null, reason: "guardrail (set cache.reuseGuardrail to reuse it)" };
  return {
    spec: {
      inputs: cache.inputs ?? [...DEFAULT_INPUTS],
      outputs: cache.outputs ?? [],
      env: cache.env ?? [],
      reuseGuardrail: cache.reuseGuardrail === true,
    },
    reason: null,
  };
}

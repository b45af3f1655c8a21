import type { PlanStageCache } from "@codex/orchestrator-schema";
import type { OrchestratorLocations } from "@codex/orchestrator-persistence";
import type { ExecutionPlan } from "../plan/command-planner.js";
import type { CacheStore } from "./cache-store.js";
import { stageCacheSpec } from "./stage-cache-spec.js";
import { definitionKey, describeChanges, fingerprintStage, needKeysOf } from "./stage-key.js";

/**
 * What `plan` says about each cached stage: its key from the files and environment as they are
 * now, whether the cache holds it, and what changed since the stage's latest entry. Stages are
 * looked at in pipeline order (a need comes first) and each need is assumed to succeed. A stage
 * whose inputs a need writes may key differently once that need has run.
 */
export async function describePlanCache(options: {
  plan: ExecutionPlan;
  locations: OrchestratorLocations;
  env: NodeJS.ProcessEnv;
  store: CacheStore;
}): Promise<Map<number, PlanStageCache>> {
  const { plan, locations, store } = options;
  const keys = new Map<string, string>();
  const described = new Map<number, PlanStageCache>();
  for (const item of plan.items) {
    const stage = item.stage;
    const { spec, reason } = stageCacheSpec(stage, item.guardrail);
    if (stage.kind !== "command" || spec === null) {
      keys.set(stage.id, definitionKey(stage, item.cwd, locations.root));
      if (reason !== null)
        described.set(item.index, {
          key: null,
          hit: false,
          reason,
          last_key: null,
          last_run_id: null,
          changes: [],
        });
      continue;
    }
    const needs = needKeysOf(item.needs, (id) => ({
      key: keys.get(id) ?? `unknown:${id}`,
      skipped: false,
    }));
    const fingerprint = await fingerprintStage({
      root: locations.root,
      cwd: item.cwd,
      command: stage.command,
      stageEnv: stage.env ?? {},
      environment: options.env,
      spec,
      needs,
      excluded: [locations.runsDir, locations.outDir],
    }).catch((error: Error) => error);
    if (fingerprint instanceof Error) {
      keys.set(stage.id, definitionKey(stage, item.cwd, locations.root));
      described.set(item.index, {
        key: null,
        hit: false,
        reason: `inputs unreadable: ${fingerprint.message}`,
        last_key: null,
        last_run_id: null,
        changes: [],
      });
      continue;
    }
    keys.set(stage.id, fingerprint.key);
    const hit = await store.has(fingerprint.key);
    const latest = await store.latestFor({
      task_id: plan.taskId,
      pipeline_id: plan.pipeline.id,
      stage_id: stage.id,
    });
    described.set(item.index, {
      key: fingerprint.key,
      hit,
      reason: null,
      last_key: latest?.key ?? null,
      last_run_id: latest?.source.run_id ?? null,
      changes: hit || latest === null ? [] : describeChanges(latest.fingerprint, fingerprint),
    });
  }
  return described;
}

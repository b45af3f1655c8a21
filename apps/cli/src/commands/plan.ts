import {
  planPipeline,
  resolveExecutorSettings,
  type PlanCacheStore,
  type Workspace,
} from "@codex/orchestrator-core/plan";
import type { PlanOutput, PlanStage } from "@codex/orchestrator-schema";
import { openSharedCacheStore } from "../run/shared-cache-store.js";
import { createPainter, printJson } from "../terminal.js";
import { rootOptions } from "../usage/root-option.js";

/** `plan [pipeline]`: what would run, guardrails first-class, nothing executed. */
export async function runPlan(argv: {
  pipeline?: string | undefined;
  task?: string | undefined;
  cache?: boolean | undefined;
  executor?: string | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  // planPipeline, not CodexOrchestrator: planning needs neither the run engine nor a run folder
  // (it reads the stage cache under the runs dir, and writes nothing).
  const { output } = await planPipeline({
    pipelineId: argv.pipeline,
    taskId: argv.task,
    cache: argv.cache !== false,
    cacheStore: (workspace) => sharedCacheStore(workspace, argv.executor),
    ...rootOptions(argv),
  });
  if (argv.format === "json") printJson(output);
  else process.stdout.write(renderPlan(output));
  return 0;
}

// With the bullmq executor (--executor, CODEX_ORCHESTRATOR_EXECUTOR or the config's), runs reuse
// stages from the shared store in Redis: the plan looks there too. Redis unreachable: one line, exit 2.
async function sharedCacheStore(
  workspace: Workspace,
  flag: string | undefined,
): Promise<PlanCacheStore | null> {
  const settings = resolveExecutorSettings({
    flag,
    env: process.env,
    config: workspace.config?.config.executor,
  });
  if (settings.kind === "local") return null;
  return openSharedCacheStore(settings.redisUrl, "codex-plan");
}

// The stages that can run together, wave by wave, and the limit on how many run at once.
function renderWaves(plan: PlanOutput): string[] {
  const waves = plan.waves ?? [];
  if (waves.every((wave) => wave.length === 1)) return ["Runs one stage at a time, in order."];
  const limit = plan.pipeline.concurrency ?? null;
  const lines = [
    `Can run together (at most ${limit === null ? "one per CPU" : limit} at once${plan.pipeline.continue_on_failure ? "; branches run on after a failure" : ""}):`,
  ];
  waves.forEach((wave, position) => lines.push(`  wave ${position + 1}: ${wave.join(", ")}`));
  return lines;
}

// A cached stage: its key, whether a run would reuse it, and why not.
function renderCache(cache: NonNullable<PlanStage["cache"]>): string[] {
  if (cache.key === null) return [`     cache: not reused (${cache.reason ?? "not cached"})`];
  const lines = [`     cache: ${cache.hit ? "hit (would be reused)" : "miss (would run)"} ${cache.key}`];
  if (cache.hit) return lines;
  if (cache.last_key === null) lines.push("     cache: no earlier entry for this stage");
  else {
    lines.push(`     cache: last entry from run ${cache.last_run_id ?? "?"} (${cache.last_key})`);
    const shown = cache.changes.slice(0, 20);
    for (const change of shown) lines.push(`       changed: ${change}`);
    if (cache.changes.length > shown.length)
      lines.push(`       … and ${cache.changes.length - shown.length} more (--format json lists all)`);
    if (cache.changes.length === 0)
      lines.push("       changed: nothing found (the entry was removed or pruned)");
  }
  return lines;
}

/**
 * The original CLI's plan lines (`Pipeline: <id> — <title> [user|default]`, `Description:`,
 * `Stages:`, `  N. [<kind>] <title> (<id>)` with `command:`, `cwd:`, `env:`, `allowFailure:`,
 * `summaryHint:`, `pipeline:`, `optional:` under it, `Notes:`), with ours (task, where each part
 * was defined, plan hash, what each stage needs, the waves, guardrails) on lines of their own, so a
 * reader of either finds its lines.
 */
export function renderPlan(plan: PlanOutput, paint = createPainter(process.stdout)): string {
  const lines: string[] = [];
  lines.push(paint.bold(`Pipeline: ${plan.pipeline.id} — ${plan.pipeline.title} [${plan.pipeline.source}]`));
  if (plan.pipeline.description) lines.push(`Description: ${plan.pipeline.description}`);
  lines.push(`Task: ${plan.task_id}`, `Defined in: ${plan.pipeline.defined_in}`);
  if (plan.pipeline.extends.length > 0) lines.push(`Extends: ${plan.pipeline.extends.join(" → ")}`);
  lines.push(`Plan hash: ${plan.plan_hash}`, "Stages:");
  if (plan.stages.length === 0) lines.push("  (none)");
  for (const stage of plan.stages) {
    const guard = stage.guardrail ? paint.yellow(" [guardrail]") : "";
    lines.push(`  ${stage.index}. [${stage.kind}] ${stage.title} (${stage.id})${guard}`);
    if (stage.command !== null) lines.push(`     command: ${stage.command}`);
    if (stage.cwd !== null) lines.push(`     cwd: ${stage.cwd}`);
    const env = Object.entries(stage.env);
    if (env.length > 0) lines.push(`     env: ${env.map(([key, value]) => `${key}=${value}`).join(", ")}`);
    if (stage.allowFailure) lines.push("     allowFailure: true");
    if (stage.summaryHint !== null) lines.push(`     summaryHint: ${stage.summaryHint}`);
    if (stage.timeout_seconds !== null) lines.push(`     timeout: ${stage.timeout_seconds}s`);
    if (stage.retries > 0) lines.push(`     retries: ${stage.retries}`);
    if (stage.pipeline !== null) {
      lines.push(`     pipeline: ${stage.pipeline}`);
      if (stage.task) lines.push(`     task: ${stage.task}`);
      if (stage.optional) lines.push("     optional: true");
    }
    if (stage.instructions !== null) lines.push(`     instructions: ${stage.instructions}`);
    if (stage.needs !== undefined)
      lines.push(
        `     needs: ${stage.needs.length === 0 ? "nothing (starts at once)" : stage.needs.join(", ")}`,
      );
    lines.push(`     from: ${stage.origin}`);
    if (stage.cache !== undefined && stage.cache !== null) lines.push(...renderCache(stage.cache));
  }
  if (plan.plan.notes) lines.push(`Notes: ${plan.plan.notes}`);
  lines.push(...renderWaves(plan));
  lines.push(
    plan.guardrails.present
      ? `Guardrails: ${plan.guardrails.stages.join(", ")}`
      : paint.red("Guardrails: none (no stage runs scripts/spec-guard.sh or is marked guardrail)"),
  );
  return `${lines.join("\n")}\n`;
}

import fs from "node:fs";
import path from "node:path";
import type { Pipeline } from "@codex/orchestrator-schema";

/** The spec guard's command when no CLI path is known: the `codex-orchestrator` on `PATH`. */
const DEFAULT_CLI = "codex-orchestrator";

/**
 * The default pipeline: build, lint, test and the spec guard (docs/contract.md §4). The guard runs
 * through the CLI that started the run (`CODEX_ORCHESTRATOR_CLI`, set by its bin), so it works in
 * any repository; in dry-run mode it reports problems without failing the run, and the run's
 * guardrail line still counts them.
 */
export function diagnosticsPipeline(cli: string = DEFAULT_CLI): Pipeline {
  return {
    id: "diagnostics",
    title: "Diagnostics Pipeline",
    description: "Build, lint and test the project, then run the spec guard.",
    stages: [
      { kind: "command", id: "build", title: "Build", command: "npm run build" },
      { kind: "command", id: "lint", title: "Lint", command: "npm run lint" },
      { kind: "command", id: "test", title: "Test", command: "npm run test" },
      {
        kind: "command",
        id: "spec-guard",
        title: "Spec guard",
        command: `${cli} spec-guard --dry-run`,
        guardrail: true,
      },
    ],
    tags: ["default"],
  };
}

/** The diagnostics pipeline as a library sees it (the guard from the `codex-orchestrator` on PATH). */
export const DIAGNOSTICS_PIPELINE: Pipeline = diagnosticsPipeline();

/**
 * Pipelines every repository has unless its config replaces them. The guard runs through
 * `CODEX_ORCHESTRATOR_CLI` (the CLI running now sets it), else the repository's installed CLI
 * (`node_modules/.bin/codex-orchestrator`, stages run at the root), else the one on PATH.
 */
export function builtinPipelines(options: { root: string; env?: NodeJS.ProcessEnv }): readonly Pipeline[] {
  const fromEnv = (options.env ?? process.env).CODEX_ORCHESTRATOR_CLI;
  if (fromEnv !== undefined && fromEnv !== "") return [diagnosticsPipeline(fromEnv)];
  const installed = path.join("node_modules", ".bin", DEFAULT_CLI);
  return [diagnosticsPipeline(fs.existsSync(path.join(options.root, installed)) ? installed : DEFAULT_CLI)];
}

/** Pipelines every repository has unless its config replaces them. */
export const BUILTIN_PIPELINES: readonly Pipeline[] = [DIAGNOSTICS_PIPELINE];

/** The pipeline `start` and `plan` run when none is named. */
export const DEFAULT_PIPELINE_ID = "diagnostics";

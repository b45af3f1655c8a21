import type { Pipeline } from "@codex/orchestrator-schema";

/** The default pipeline: build, lint, test and the spec guard (docs/contract.md §4). */
export const DIAGNOSTICS_PIPELINE: Pipeline = {
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
      command: "bash scripts/spec-guard.sh --dry-run",
    },
  ],
  tags: ["default"],
};

/** Pipelines every repository has unless its config replaces them. */
export const BUILTIN_PIPELINES: readonly Pipeline[] = [DIAGNOSTICS_PIPELINE];

/** The pipeline `start` and `plan` run when none is named. */
export const DEFAULT_PIPELINE_ID = "diagnostics";

import path from "node:path";
import { findRepositoryRoot, initRepository } from "@codex/orchestrator-core";
import { printJson } from "../terminal.js";

/** `init [--force]`: a starter codex.orchestrator.json and .gitignore entries, then what to run next. */
export async function runInit(argv: {
  force?: boolean | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  const fromEnv = process.env.CODEX_ORCHESTRATOR_ROOT;
  // --root (checked and absolute), else CODEX_ORCHESTRATOR_ROOT, else the repository found from here.
  const root =
    argv.root ??
    (fromEnv !== undefined && fromEnv !== ""
      ? path.resolve(fromEnv)
      : (findRepositoryRoot(process.cwd()) ?? process.cwd()));
  const result = initRepository({ root, force: argv.force === true });
  const config = result.config;
  const taskId = config.projects?.[0]?.taskId ?? "";
  const pipeline = config.pipelines?.[0];
  const next = ["codex-orchestrator plan", "codex-orchestrator start"];
  // The starter pipeline's own stages, then the ones it inherits from diagnostics.
  const stageIds =
    pipeline === undefined
      ? []
      : [...(pipeline.before ?? []).map((stage) => stage.id), "build", "lint", "test", "spec-guard"];
  if (argv.format === "json") {
    printJson({
      root,
      config_file: result.configFile,
      replaced: result.replaced,
      task_id: taskId,
      default_pipeline: config.defaultPipeline ?? "diagnostics",
      stages: stageIds,
      gitignore_added: result.gitignoreAdded,
      next,
    });
    return 0;
  }
  const relative = path.relative(process.cwd(), result.configFile) || result.configFile;
  const lines = [
    `${result.replaced ? "Replaced" : "Wrote"} ${relative}: task ${taskId}, default pipeline ${config.defaultPipeline}` +
      (pipeline === undefined ? "" : ` (${stageIds.join(", ")})`),
    result.gitignoreAdded.length === 0
      ? ".gitignore already keeps .runs/ and out/ out of commits"
      : `Added ${result.gitignoreAdded.join(" and ")} to .gitignore (run evidence and state, not for commits)`,
    "Next:",
    "  codex-orchestrator plan    see what start would run",
    `  codex-orchestrator start   run it; the evidence lands in .runs/${taskId}/`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

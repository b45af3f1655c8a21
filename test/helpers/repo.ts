import { configJson } from "./cli.js";
import { tempDir, writeFiles } from "./temp-dir.js";

/** A temp repo with `codex.orchestrator.json` (and any other files) written into it; removed when the test ends. */
export function tempRepo(
  config: unknown,
  files: Record<string, string> = {},
  prefix = "codex-orchestrator-repo-",
): string {
  const root = tempDir(prefix);
  writeFiles(root, { "codex.orchestrator.json": configJson(config), ...files });
  return root;
}

/** A command stage. */
export function command(
  id: string,
  commandLine: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { kind: "command", id, title: `Stage ${id}`, command: commandLine, ...extra };
}

/** A pipeline with its own stages. */
export function pipeline(id: string, stages: unknown[]): Record<string, unknown> {
  return { id, title: `Pipeline ${id}`, stages };
}

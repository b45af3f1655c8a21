import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";

/**
 * `--root <dir>`, on every command: the repository to work on. It wins over
 * `CODEX_ORCHESTRATOR_ROOT`, which wins over the root found from the current directory.
 */
export const ROOT_OPTION = {
  type: "string",
  describe:
    "The repository to work on (default: CODEX_ORCHESTRATOR_ROOT, else found from the current directory like git)",
} as const;

/**
 * yargs middleware, run before any command: `--root` checked and made absolute, so a command never
 * sees a relative or missing root. Light (fs only): it runs on every command line.
 */
export function resolveRootOption(argv: { root?: unknown }, cwd: string = process.cwd()): void {
  if (argv.root === undefined) return;
  if (typeof argv.root !== "string") throw new UsageError("--root given more than once");
  if (argv.root === "") throw new UsageError("--root needs a directory");
  const root = path.resolve(cwd, argv.root);
  let isDirectory: boolean;
  try {
    isDirectory = fs.statSync(root).isDirectory();
  } catch {
    throw new UsageError(`--root ${argv.root}: no such directory`);
  }
  if (!isDirectory) throw new UsageError(`--root ${argv.root}: not a directory`);
  argv.root = root;
}

/**
 * What places a `CodexOrchestrator` (or `planPipeline`) in the repository `--root` names; without
 * the flag, nothing, so the library's own order applies (CODEX_ORCHESTRATOR_ROOT, then discovery).
 */
export function rootOptions(argv: { root?: string | undefined }): { root?: string } {
  return argv.root === undefined ? {} : { root: argv.root };
}

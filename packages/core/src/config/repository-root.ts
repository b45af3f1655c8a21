import fs from "node:fs";
import path from "node:path";

/**
 * The repository root when the CLI runs inside a registered project's folder: the nearest ancestor
 * whose `codex.orchestrator.json` registers a project containing `cwd`. Undefined otherwise, and
 * the root stays the cwd (docs/contract.md §2). Only plain JSON parsing, so it costs nothing at start-up;
 * an unreadable ancestor config is skipped here and reported when it is actually loaded.
 */
export function findRegisteringRoot(cwd: string): string | undefined {
  const start = path.resolve(cwd);
  for (let directory = path.dirname(start); ; directory = path.dirname(directory)) {
    const file = path.join(directory, "codex.orchestrator.json");
    if (fs.existsSync(file)) {
      try {
        const projects = (JSON.parse(fs.readFileSync(file, "utf8")) as { projects?: unknown }).projects;
        if (Array.isArray(projects)) {
          for (const project of projects as Array<{ path?: unknown }>) {
            if (typeof project?.path !== "string") continue;
            const relative = path.relative(path.resolve(directory, project.path), start);
            if (!relative.startsWith("..") && !path.isAbsolute(relative)) return directory;
          }
        }
      } catch {
        // Not ours to judge here.
      }
    }
    if (path.dirname(directory) === directory) return undefined;
  }
}

/** The explicit root, else `CODEX_ORCHESTRATOR_ROOT`, else a registering ancestor, else undefined (cwd). */
export function chooseRoot(options: {
  root?: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): string | undefined {
  if (options.root !== undefined) return options.root;
  const fromEnv = options.env.CODEX_ORCHESTRATOR_ROOT;
  if (fromEnv !== undefined && fromEnv !== "") return undefined;
  return findRegisteringRoot(options.cwd);
}

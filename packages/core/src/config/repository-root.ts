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
        const projects = (JSON.parse(readSmallRegularFile(file)) as { projects?: unknown }).projects;
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

// Like readTextIfExists with MAX_INPUT_FILE_BYTES, without loading the persistence package: a FIFO
// or a device (a config linked to /dev/zero) is skipped here instead of hanging or filling memory.
function readSmallRegularFile(file: string): string {
  const descriptor = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const stats = fs.fstatSync(descriptor);
    if (!stats.isFile() || stats.size > 8 * 1024 * 1024) throw new Error(`${file}: not a small regular file`);
    return fs.readFileSync(descriptor, "utf8");
  } finally {
    fs.closeSync(descriptor);
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

import fs from "node:fs";
import path from "node:path";

// config-file.ts's CONFIG_FILE_NAME, not imported: root discovery runs before anything else loads.
const CONFIG_FILE_NAME = "codex.orchestrator.json";

/**
 * The repository root when the CLI runs inside a registered project's folder: the nearest ancestor
 * whose `codex.orchestrator.json` registers a project containing `cwd`. Undefined otherwise.
 * Only plain JSON parsing, so it costs nothing at start-up; an unreadable ancestor config is
 * skipped here and reported when it is actually loaded.
 */
export function findRegisteringRoot(cwd: string): string | undefined {
  const start = path.resolve(cwd);
  for (let directory = path.dirname(start); ; directory = path.dirname(directory)) {
    const file = path.join(directory, CONFIG_FILE_NAME);
    if (fs.existsSync(file)) {
      const projects = readJsonField(file, "projects");
      if (Array.isArray(projects)) {
        for (const project of projects as Array<{ path?: unknown }>) {
          if (typeof project?.path !== "string") continue;
          const relative = path.relative(path.resolve(directory, project.path), start);
          if (!relative.startsWith("..") && !path.isAbsolute(relative)) return directory;
        }
      }
    }
    if (path.dirname(directory) === directory) return undefined;
  }
}

/**
 * The repository root seen from `cwd`, the way git and Turborepo find theirs: a config that
 * registers the project `cwd` is in, else the nearest `codex.orchestrator.json`, else the nearest
 * workspace root (`pnpm-workspace.yaml`, or a `package.json` with `workspaces`), else the git top
 * level (a `.git` folder or file). Undefined when none is found: the root is then `cwd`.
 */
export function findRepositoryRoot(cwd: string): string | undefined {
  const start = path.resolve(cwd);
  return (
    findRegisteringRoot(start) ??
    findNearest(start, (directory) => isFile(path.join(directory, CONFIG_FILE_NAME))) ??
    findNearest(start, isWorkspaceRoot) ??
    findNearest(start, (directory) => fs.existsSync(path.join(directory, ".git")))
  );
}

/** Whether a folder is the root of a pnpm, npm or yarn workspace. */
export function isWorkspaceRoot(directory: string): boolean {
  if (isFile(path.join(directory, "pnpm-workspace.yaml"))) return true;
  const manifest = path.join(directory, "package.json");
  if (!isFile(manifest)) return false;
  const workspaces = readJsonField(manifest, "workspaces");
  // npm and yarn take a list; yarn 1 also `{ packages: [...] }`.
  return (
    Array.isArray(workspaces) ||
    (typeof workspaces === "object" &&
      workspaces !== null &&
      Array.isArray((workspaces as { packages?: unknown }).packages))
  );
}

/** The explicit root, else `CODEX_ORCHESTRATOR_ROOT`, else the root found from `cwd`, else undefined (cwd). */
export function chooseRoot(options: {
  root?: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): string | undefined {
  if (options.root !== undefined) return options.root;
  const fromEnv = options.env.CODEX_ORCHESTRATOR_ROOT;
  if (fromEnv !== undefined && fromEnv !== "") return undefined;
  return findRepositoryRoot(options.cwd);
}

function findNearest(start: string, matches: (directory: string) => boolean): string | undefined {
  for (let directory = start; ; directory = path.dirname(directory)) {
    if (matches(directory)) return directory;
    if (path.dirname(directory) === directory) return undefined;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function readJsonField(file: string, field: string): unknown {
  try {
    const value = JSON.parse(readSmallRegularFile(file)) as Record<string, unknown> | null;
    return typeof value === "object" && value !== null ? value[field] : undefined;
  } catch {
    return undefined; // Not ours to judge here.
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

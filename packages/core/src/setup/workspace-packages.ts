import fs from "node:fs";
import path from "node:path";

/** A package of the repository: its folder (relative, `.` for the root), name and scripts. */
export interface WorkspacePackage {
  path: string;
  name: string | null;
  scripts: string[];
}

/** What `init` learns about a repository. */
export interface RepositoryPackages {
  /** The root package (`package.json` at the root), or null. */
  root: WorkspacePackage | null;
  /** Workspace packages from `pnpm-workspace.yaml` or `package.json` `workspaces`, sorted by path. */
  packages: WorkspacePackage[];
  /** How its scripts are run: the lockfile (or workspace file) tells. */
  packageManager: "npm" | "pnpm" | "yarn";
}

// Folders a workspace glob never means (and that would be slow to walk).
const NEVER = new Set(["node_modules", ".git", ".runs", "out", "dist"]);
const MAX_DEPTH = 4;

/** Reads the root package, the workspace packages its globs name, and each one's scripts. */
export function findRepositoryPackages(root: string): RepositoryPackages {
  const rootPackage = readPackage(root, ".");
  const globs = workspaceGlobs(root);
  const included = new Set<string>();
  for (const glob of globs.filter((pattern) => !pattern.startsWith("!")))
    for (const folder of expandGlob(root, glob)) included.add(folder);
  for (const glob of globs.filter((pattern) => pattern.startsWith("!")))
    for (const folder of expandGlob(root, glob.slice(1))) included.delete(folder);
  const packages = [...included]
    .filter((folder) => folder !== ".")
    .sort()
    .map((folder) => readPackage(root, folder))
    .filter((found): found is WorkspacePackage => found !== null);
  return { root: rootPackage, packages, packageManager: detectPackageManager(root) };
}

function detectPackageManager(root: string): "npm" | "pnpm" | "yarn" {
  if (exists(root, "pnpm-lock.yaml") || exists(root, "pnpm-workspace.yaml")) return "pnpm";
  if (exists(root, "yarn.lock")) return "yarn";
  return "npm";
}

// pnpm-workspace.yaml's `packages:` list (read line by line: only that list matters here), else
// package.json `workspaces` (a list, or yarn's `{ packages: [...] }`).
function workspaceGlobs(root: string): string[] {
  const pnpmFile = path.join(root, "pnpm-workspace.yaml");
  if (fs.existsSync(pnpmFile)) {
    const globs: string[] = [];
    let inPackages = false;
    for (const line of fs.readFileSync(pnpmFile, "utf8").split(/\r?\n/)) {
      if (/^packages\s*:/.test(line)) {
        inPackages = true;
        const inline = /\[(.*)\]/.exec(line)?.[1];
        if (inline !== undefined) globs.push(...inline.split(",").map(unquote).filter(Boolean));
        continue;
      }
      if (!inPackages) continue;
      const item = /^\s+-\s+(.+?)\s*(?:#.*)?$/.exec(line)?.[1];
      if (item !== undefined) globs.push(unquote(item));
      else if (/^\S/.test(line)) inPackages = false;
    }
    return globs;
  }
  const manifest = readJson(path.join(root, "package.json"));
  const workspaces = manifest?.workspaces;
  const list = Array.isArray(workspaces)
    ? workspaces
    : (workspaces as { packages?: unknown } | undefined)?.packages;
  return Array.isArray(list) ? list.filter((entry): entry is string => typeof entry === "string") : [];
}

// `packages/*`, `apps/**`, `tools/cli`: the folders (relative, `/`-separated) that hold a package.json.
function expandGlob(root: string, glob: string): string[] {
  const parts = glob.replace(/^\.\//, "").replace(/\/+$/, "").split("/").filter(Boolean);
  const found: string[] = [];
  const walk = (folder: string, index: number, depth: number) => {
    if (depth > MAX_DEPTH) return;
    if (index === parts.length) {
      if (exists(root, path.join(folder, "package.json"))) found.push(folder === "" ? "." : folder);
      return;
    }
    const part = parts[index] as string;
    if (part === "**") {
      walk(folder, index + 1, depth);
      for (const child of subfolders(root, folder)) walk(join(folder, child), index, depth + 1);
      return;
    }
    const pattern = new RegExp(
      `^${part
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, "[^/]*")
        .replace(/\?/g, "[^/]")}$`,
    );
    for (const child of part.includes("*") || part.includes("?") ? subfolders(root, folder) : [part])
      if (pattern.test(child) && isFolder(root, join(folder, child)))
        walk(join(folder, child), index + 1, depth + 1);
  };
  walk("", 0, 0);
  return found;
}

function readPackage(root: string, folder: string): WorkspacePackage | null {
  const manifest = readJson(path.join(root, folder, "package.json"));
  if (manifest === null) return null;
  const scripts = manifest.scripts;
  return {
    path: folder,
    name: typeof manifest.name === "string" ? manifest.name : null,
    scripts:
      typeof scripts === "object" && scripts !== null
        ? Object.keys(scripts).filter(
            (name) => typeof (scripts as Record<string, unknown>)[name] === "string",
          )
        : [],
  };
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function subfolders(root: string, folder: string): string[] {
  try {
    return fs
      .readdirSync(path.join(root, folder), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !NEVER.has(entry.name) && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

function join(folder: string, child: string): string {
  return folder === "" ? child : `${folder}/${child}`;
}

function exists(root: string, relative: string): boolean {
  return fs.existsSync(path.join(root, relative));
}

function isFolder(root: string, relative: string): boolean {
  try {
    return fs.statSync(path.join(root, relative)).isDirectory();
  } catch {
    return false;
  }
}

function unquote(text: string): string {
  return text.trim().replace(/^["']|["']$/g, "");
}

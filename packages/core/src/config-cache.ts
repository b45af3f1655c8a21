import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { OrchestratorConfig } from "@codex/orchestrator-schema";
import type { LoadedConfig } from "./config-loader.js";
import { readConfigSource, type ConfigSource } from "./config-file.js";
import { assembleWorkspace, type Workspace } from "./workspace-model.js";

/** Options for {@link loadWorkspaceCached}. */
export interface ConfigCacheOptions {
  /** Folder of the "these bytes passed validation" markers, e.g. `<runs>/.cache/config`. */
  directory: string;
  /**
   * Identifies the code doing the validation (its version and build). A marker counts only for the
   * same salt, so a new schema never trusts a verdict of an old one.
   */
  salt: string;
}

/**
 * Loads the workspace like `loadWorkspace`, but validates each config file with the schema only
 * when its exact bytes have not passed validation before. The schema (zod) is imported on demand,
 * so a `plan` on an unchanged config never loads it.
 *
 * A marker is a file named by sha256(salt, bytes) whose content is that same hash. It stores no
 * config content (configs may name secrets to redact) and is never the only copy of anything: a
 * missing, unreadable or corrupt marker only means "validate again". The config schema has no
 * defaults or transforms, so a valid file's parsed JSON is exactly what validation returns.
 */
export async function loadWorkspaceCached(root: string, cache: ConfigCacheOptions): Promise<Workspace> {
  const config = await loadConfigCached(readConfigSource(root), cache);
  // Project configs are loaded ahead (errors kept), then handed over in order, so the errors a
  // caller sees, and their order, are those of `loadWorkspace`.
  const loaded = new Map<string, { config: LoadedConfig | null } | { error: unknown }>();
  for (const project of config?.config.projects ?? []) {
    const directory = path.resolve(root, project.path);
    // The same rule as assembleWorkspace: the root itself has no project config, and a folder
    // outside the repository is refused there, so it is never read here.
    const relativePath = path.relative(root, directory).split(path.sep).join("/") || ".";
    if (relativePath === "." || relativePath.startsWith("..") || loaded.has(directory)) continue;
    try {
      loaded.set(directory, { config: await loadConfigCached(readConfigSource(directory, root), cache) });
    } catch (error) {
      loaded.set(directory, { error });
    }
  }
  return assembleWorkspace(root, config, (directory) => {
    const result = loaded.get(directory);
    if (result === undefined) throw new Error(`unreachable: project config ${directory} was not preloaded`);
    if ("error" in result) throw result.error;
    return result.config;
  });
}

async function loadConfigCached(
  source: ConfigSource | null,
  cache: ConfigCacheOptions,
): Promise<LoadedConfig | null> {
  if (source === null) return null;
  const key = createHash("sha256").update(cache.salt).update("\0").update(source.text).digest("hex");
  const marker = path.join(cache.directory, key);
  if (readMarker(marker) === key) return { file: source.file, config: source.value as OrchestratorConfig };
  const { validateConfigSource } = await import("./config-loader.js");
  const loaded = validateConfigSource(source);
  writeMarker(marker, key);
  return loaded;
}

function readMarker(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

function writeMarker(file: string, key: string): void {
  // Best effort: a read-only runs dir just means validating every time.
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, key);
    fs.renameSync(temporary, file);
  } catch {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // Nothing more to do.
    }
  }
}

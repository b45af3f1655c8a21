import type { OrchestratorConfig } from "@codex/orchestrator-schema";
import { safeParseConfig } from "@codex/orchestrator-schema";
import { readConfigSource, type ConfigSource } from "./config-file.js";
import { ConfigError } from "../errors.js";

export { CONFIG_FILE_NAME } from "./config-file.js";

/** A config file that was found and validated. */
export interface LoadedConfig {
  /** Absolute path of the file. */
  file: string;
  config: OrchestratorConfig;
}

/**
 * Loads `codex.orchestrator.json` from a folder; null when there is none. Bad JSON is reported
 * with line and column, a bad value with its JSON path: `codex.orchestrator.json: pipelines[0].stages[1].kind: …`.
 */
export function loadConfigFile(directory: string, displayRoot: string = directory): LoadedConfig | null {
  const source = readConfigSource(directory, displayRoot);
  return source === null ? null : validateConfigSource(source);
}

/** Checks a parsed config against the schema; throws a {@link ConfigError} naming the file and place. */
export function validateConfigSource(source: ConfigSource): LoadedConfig {
  const result = safeParseConfig(source.value);
  if (!result.ok) {
    const first = result.error.issues[0];
    const where = first === undefined || first.path === "" ? "" : `${first.path}: `;
    const more = result.error.issues.length > 1 ? ` (+${result.error.issues.length - 1} more)` : "";
    throw new ConfigError(`${source.display}: ${where}${first?.message ?? "invalid config"}${more}`, {
      cause: result.error,
      hint: "See docs/configuration.md for the config format.",
    });
  }
  return { file: source.file, config: result.value };
}

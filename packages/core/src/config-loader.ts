import path from "node:path";
import { JsonSyntaxError, parseJsonText, readTextIfExists } from "@codex/orchestrator-persistence";
import { safeParseConfig, type OrchestratorConfig } from "@codex/orchestrator-schema";
import { ConfigError } from "./errors.js";

/** The config file name, at the repo root and in project folders. */
export const CONFIG_FILE_NAME = "codex.orchestrator.json";

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
  const file = path.join(directory, CONFIG_FILE_NAME);
  const display = path.relative(displayRoot, file) || CONFIG_FILE_NAME;
  let text: string | null;
  try {
    text = readTextIfExists(file);
  } catch (error) {
    throw new ConfigError(`Cannot read ${display}: ${(error as Error).message}`, { cause: error });
  }
  if (text === null) return null;
  let value: unknown;
  try {
    value = parseJsonText(text, display);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
  const result = safeParseConfig(value);
  if (!result.ok) {
    const first = result.error.issues[0];
    const where = first === undefined || first.path === "" ? "" : `${first.path}: `;
    const more = result.error.issues.length > 1 ? ` (+${result.error.issues.length - 1} more)` : "";
    throw new ConfigError(`${display}: ${where}${first?.message ?? "invalid config"}${more}`, {
      cause: result.error,
      hint: "See docs/configuration.md for the config format.",
    });
  }
  return { file, config: result.value };
}

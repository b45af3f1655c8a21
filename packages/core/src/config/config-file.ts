import path from "node:path";
import {
  JsonSyntaxError,
  MAX_INPUT_FILE_BYTES,
  parseJsonText,
  readTextIfExists,
} from "@codex/orchestrator-persistence";
import { ConfigError } from "../errors.js";

/** The config file name, at the repo root and in project folders. */
export const CONFIG_FILE_NAME = "codex.orchestrator.json";

/** A config file read and parsed as JSON, not yet validated. */
export interface ConfigSource {
  /** Absolute path of the file. */
  file: string;
  /** The path as messages show it (relative to the repo root). */
  display: string;
  /** The file's exact text. */
  text: string;
  /** The parsed JSON. */
  value: unknown;
}

/**
 * Reads and parses `codex.orchestrator.json` in a folder; null when there is none. Bad JSON is a
 * {@link ConfigError} with line and column; the schema check follows in config-loader.ts.
 */
export function readConfigSource(directory: string, displayRoot: string = directory): ConfigSource | null {
  const file = path.join(directory, CONFIG_FILE_NAME);
  const display = path.relative(displayRoot, file) || CONFIG_FILE_NAME;
  let text: string | null;
  try {
    text = readTextIfExists(file, { maxBytes: MAX_INPUT_FILE_BYTES });
  } catch (error) {
    throw new ConfigError(`Cannot read ${display}: ${(error as Error).message}`, { cause: error });
  }
  if (text === null) return null;
  try {
    return { file, display, text, value: parseJsonText(text, display) };
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
}

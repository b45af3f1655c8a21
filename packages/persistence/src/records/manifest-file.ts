import { normalizeLegacyManifest, safeParseManifest, type Manifest } from "@codex/orchestrator-schema";
import { ManifestReadError } from "../errors.js";
import { JsonSyntaxError, parseJsonText } from "../files/json-text.js";
import { readTextIfExists, writeJsonAtomic } from "../files/safe-fs.js";

/**
 * Reads and validates a manifest; throws {@link ManifestReadError} that says what is wrong and where.
 * Manifests written by the original CLI are normalised in memory (see `normalizeLegacyManifest`);
 * the file is never rewritten by reading it.
 */
export function readManifest(file: string): Manifest {
  const text = readTextIfExists(file, { followLinks: false });
  if (text === null) throw new ManifestReadError(`Manifest not found: ${file}`);
  let value: unknown;
  try {
    value = parseJsonText(text, file);
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new ManifestReadError(`Manifest is corrupt: ${error.message}`, error);
    }
    throw error;
  }
  const result = safeParseManifest(normalizeLegacyManifest(value), { source: file });
  if (!result.ok) throw new ManifestReadError(result.error.message, result.error);
  return result.value;
}

/** Writes a manifest whole (temp + rename). Its values were redacted before they got here. */
export function writeManifest(file: string, manifest: Manifest): void {
  writeJsonAtomic(file, manifest);
}

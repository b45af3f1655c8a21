import fs from "node:fs";
import path from "node:path";
import { isSymbolicLink, readTextIfExists } from "../files/safe-fs.js";

/** A schema that checks one entry file's JSON (zod's safeParse is one). */
export interface EntrySchema<T> {
  safeParse(value: unknown): { success: boolean; data?: T };
}

/**
 * The entries of a folder that other processes add to one file at a time (a run's children/,
 * approvals/, resume-events/): every `*.json` that parses and passes `schema`, by file name. A
 * linked folder or entry leads outside the run, so nothing in it is read; an entry being replaced
 * right now is skipped, and the next read sees it whole.
 */
export function readEntryFiles<T>(directory: string, schema: EntrySchema<T>): T[] {
  if (isSymbolicLink(directory)) return [];
  let names: string[];
  try {
    names = fs.readdirSync(directory).filter((name) => name.endsWith(".json") && !name.startsWith("."));
  } catch {
    return [];
  }
  const entries: T[] = [];
  for (const name of names.sort()) {
    try {
      const parsed = schema.safeParse(
        JSON.parse(readTextIfExists(path.join(directory, name), { followLinks: false }) ?? ""),
      );
      if (parsed.success && parsed.data !== undefined) entries.push(parsed.data);
    } catch {
      // Half-written or unreadable: left for the next read.
    }
  }
  return entries;
}

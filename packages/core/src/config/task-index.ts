import path from "node:path";
import {
  findTaskIdProblem,
  JsonSyntaxError,
  MAX_INPUT_FILE_BYTES,
  parseJsonText,
  readTextIfExists,
} from "@codex/orchestrator-persistence";
import { ConfigError } from "../errors.js";

/** One task of `tasks/index.json`. */
export interface TaskRecord {
  id: string;
  slug: string | null;
  title: string | null;
  path: string | null;
}

/** The keys that may hold the task list: the original CLI's `items` and our earlier `tasks`. */
export const TASK_LIST_KEYS = ["items", "tasks"] as const;

/**
 * Reads `tasks/index.json` when present. Both shapes are accepted: the original CLI's
 * `{ "items": [{ "id", "slug", "title", … }], "specs": [] }` and `{ "tasks": [ … ] }`; a file with
 * both lists reads both (the first entry of an id wins). A malformed file is a usage error naming
 * the file and place.
 */
export function readTaskIndex(root: string): Map<string, TaskRecord> {
  const file = path.join(root, "tasks", "index.json");
  const display = "tasks/index.json";
  const text = readTextIfExists(file, { maxBytes: MAX_INPUT_FILE_BYTES });
  const tasks = new Map<string, TaskRecord>();
  if (text === null) return tasks;
  let value: unknown;
  try {
    value = parseJsonText(text, display);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
  const index = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  const keys = TASK_LIST_KEYS.filter((key) => index?.[key] !== undefined);
  if (index === null || keys.length === 0 || keys.some((key) => !Array.isArray(index[key]))) {
    const key = keys.find((candidate) => !Array.isArray(index?.[candidate])) ?? "items";
    throw new ConfigError(`${display}: ${key}: expected an array of tasks ("items" or "tasks")`);
  }
  for (const key of keys) {
    (index[key] as unknown[]).forEach((entry, position) => {
      const record = readTaskRecord(entry, `${display}: ${key}[${position}]`);
      if (!tasks.has(record.id)) tasks.set(record.id, record);
    });
  }
  return tasks;
}

function readTaskRecord(entry: unknown, place: string): TaskRecord {
  const record = entry as Record<string, unknown> | null;
  if (typeof record !== "object" || record === null || typeof record.id !== "string") {
    throw new ConfigError(`${place}.id: expected a string`);
  }
  const problem = findTaskIdProblem(record.id);
  if (problem !== null) throw new ConfigError(`${place}.id: invalid task id (${problem})`);
  for (const key of ["slug", "title", "path"] as const) {
    if (record[key] !== undefined && record[key] !== null && typeof record[key] !== "string") {
      throw new ConfigError(`${place}.${key}: expected a string`);
    }
  }
  return {
    id: record.id,
    slug: (record.slug as string | undefined) ?? null,
    title: (record.title as string | undefined) ?? null,
    path: (record.path as string | undefined) ?? null,
  };
}

import path from "node:path";
import {
  findIdProblem,
  JsonSyntaxError,
  parseJsonText,
  readTextIfExists,
} from "@codex/orchestrator-persistence";
import { ConfigError } from "./errors.js";

/** One task of `tasks/index.json`. */
export interface TaskRecord {
  id: string;
  slug: string | null;
  title: string | null;
  path: string | null;
}

/**
 * Reads `tasks/index.json` (`{ "tasks": [{ "id", "slug", "title", "path", … }] }`) when present.
 * A malformed file is a usage error naming the file and place.
 */
export function readTaskIndex(root: string): Map<string, TaskRecord> {
  const file = path.join(root, "tasks", "index.json");
  const display = "tasks/index.json";
  const text = readTextIfExists(file);
  const tasks = new Map<string, TaskRecord>();
  if (text === null) return tasks;
  let value: unknown;
  try {
    value = parseJsonText(text, display);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
  const list = (value as { tasks?: unknown } | null)?.tasks;
  if (typeof value !== "object" || value === null || !Array.isArray(list)) {
    throw new ConfigError(`${display}: tasks: expected an array of tasks`);
  }
  list.forEach((entry: unknown, index) => {
    const record = entry as Record<string, unknown> | null;
    if (typeof record !== "object" || record === null || typeof record.id !== "string") {
      throw new ConfigError(`${display}: tasks[${index}].id: expected a string`);
    }
    const problem = findIdProblem(record.id);
    if (problem !== null)
      throw new ConfigError(`${display}: tasks[${index}].id: invalid task id (${problem})`);
    for (const key of ["slug", "title", "path"] as const) {
      if (record[key] !== undefined && record[key] !== null && typeof record[key] !== "string") {
        throw new ConfigError(`${display}: tasks[${index}].${key}: expected a string`);
      }
    }
    tasks.set(record.id, {
      id: record.id,
      slug: (record.slug as string | undefined) ?? null,
      title: (record.title as string | undefined) ?? null,
      path: (record.path as string | undefined) ?? null,
    });
  });
  return tasks;
}

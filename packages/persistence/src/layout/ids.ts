import { randomBytes } from "node:crypto";
import { InvalidIdError } from "../errors.js";

// docs/contract.md §2: empty, control characters, / \ .. a leading . and < > : " | ? * are refused.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f/\\<>:"|?*]/;
const MAX_ID_LENGTH = 200;

/** Options for {@link validateId}. */
export interface ValidateIdOptions {
  /** What the id is, for the message: "task id", "run id", "stage id". */
  kind: string;
  /** Where it came from, for the message: `--task`, `MCP_RUNNER_TASK_ID`, `tasks/index.json`. */
  source: string;
}

/**
 * Names the runs layout uses beside task folders (`<runs>/local-mcp/`): a task of that name could be
 * started but never found again. `.cache` and `.run-index.json` are refused already by their dot.
 */
export const RESERVED_TASK_IDS: readonly string[] = ["local-mcp"];

const RESERVED_PROBLEM = "the name is reserved for the runs directory layout";

/** Returns the id when it is safe to build a path from, else throws {@link InvalidIdError}. */
export function validateId(value: string, options: ValidateIdOptions): string {
  const problem = options.kind === "task id" ? findTaskIdProblem(value) : findIdProblem(value);
  if (problem !== null) {
    const message = `Invalid ${options.kind} ${JSON.stringify(value)} from ${options.source}: ${problem}`;
    throw problem === RESERVED_PROBLEM
      ? new InvalidIdError(message, `Reserved task ids: ${RESERVED_TASK_IDS.join(", ")}.`)
      : new InvalidIdError(message);
  }
  return value;
}

/** Why an id is unsafe, or null when it is fine. */
export function findIdProblem(value: string): string | null {
  if (value.length === 0) return "it is empty";
  if (value.length > MAX_ID_LENGTH) return `it is longer than ${MAX_ID_LENGTH} characters`;
  if (value.startsWith(".")) return "it starts with '.'";
  if (value.includes("..")) return "it contains '..'";
  const match = FORBIDDEN.exec(value);
  if (match !== null) {
    const character = match[0];
    const shown =
      character.charCodeAt(0) < 32 || character.charCodeAt(0) === 127
        ? "a control character"
        : `'${character}'`;
    return `it contains ${shown}`;
  }
  if (value.trim() !== value) return "it has leading or trailing spaces";
  return null;
}

/** Why a task id is unusable (unsafe, or a name the runs layout reserves), or null when it is fine. */
export function findTaskIdProblem(value: string): string | null {
  const problem = findIdProblem(value);
  if (problem !== null) return problem;
  // Lower-cased: on a case-insensitive file system `LOCAL-MCP` is the same folder.
  if (RESERVED_TASK_IDS.includes(value.toLowerCase())) return RESERVED_PROBLEM;
  return null;
}

/**
 * A new run id: the UTC timestamp with `:` and `.` turned into `-`, then 8 lowercase hex digits
 * (`2025-10-31T22-56-34-431Z-9574035c`), so lexical order is time order.
 */
export function createRunId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}`;
}

/** The time encoded in a run id, or null when it is not one of ours. */
export function runIdTime(runId: string): Date | null {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z-[0-9a-f]{8}$/.exec(runId);
  if (match === null) return null;
  const date = new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** File-name slug: runs of non-alphanumerics become `-`, trimmed, at most 80 characters, `command` when empty. */
export function slugify(text: string): string {
  const slug = text
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/g, "");
  return slug === "" ? "command" : slug;
}

/** `NN-<slug>`: the 1-based stage index, two digits, and the slug. */
export function stageFileStem(index: number, text: string): string {
  return `${String(index).padStart(2, "0")}-${slugify(text)}`;
}

import { PersistenceError, UnsafePathError } from "@codex/orchestrator-persistence";
import type { Redactor } from "../../process/redaction.js";
import { clipSummary, type StageOutcome } from "./stage-context.js";

// A status detail stays short enough to read in `runs` and `status` lines.
const DETAIL_MESSAGE_MAX = 60;

/**
 * Whether an error is a failure to write the run's own files (or a write refused as unsafe): the
 * run's record cannot be trusted to take more, so the error ends the process as before.
 */
export function isOwnFileFailure(error: unknown): boolean {
  return error instanceof PersistenceError || error instanceof UnsafePathError;
}

/**
 * The outcome of a stage that threw instead of ending: failed, with `error:<code>` (or a short
 * message when the error has no code) as the run's status detail and the message as its summary.
 */
export function stageErrorOutcome(error: unknown, redactor: Redactor): StageOutcome {
  const message = redactor.redact(firstLine(error instanceof Error ? error.message : String(error)));
  const code = (error as { code?: unknown } | null)?.code;
  const name =
    typeof code === "string" && /^[A-Za-z0-9_]+$/.test(code) ? code : clip(message, DETAIL_MESSAGE_MAX);
  return {
    status: "failed",
    detail: `error:${name}`,
    summary: clipSummary(`error: ${message}`),
    errorFile: null,
  };
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0]?.trim() || "unknown error";
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

import type { CommandAttempt, CommandEntry, CommandStage } from "@codex/orchestrator-schema";
import type { ProcessOutcome } from "../process/process-runner.js";

/** The most of stderr the original CLI put in `details.stderr` (8 KiB); longer text is cut with "…". */
export const ORIGINAL_DETAIL_CHARACTERS = 8 * 1024;

/** A tail of one output stream: the kept text and whether earlier output was dropped. */
export interface ErrorFileTail {
  text: string;
  truncated: boolean;
}

/** What {@link buildErrorFile} needs to know about the failed stage. */
export interface BuildErrorFileOptions {
  runId: string;
  taskId: string;
  stage: CommandStage;
  /** The stage's 1-based index in the run. */
  index: number;
  /** The stage's working directory, repo-relative ("." for the root). */
  cwd: string;
  entry: Pick<CommandEntry, "started_at" | "completed_at" | "log_path">;
  outcome: Pick<ProcessOutcome, "exitCode" | "signal" | "reason" | "error">;
  attempts: CommandAttempt[];
  stdoutTail: ErrorFileTail;
  stderrTail: ErrorFileTail;
  /** The last lines of both streams together. */
  tailLines: string[];
  /** How many characters each stream tail keeps. */
  tailLimitCharacters: number;
  /** When the file is written. */
  now?: Date;
}

function capDetail(text: string): { text: string; capped: boolean } {
  return text.length > ORIGINAL_DETAIL_CHARACTERS
    ? { text: `${text.slice(0, ORIGINAL_DETAIL_CHARACTERS)}…`, capped: true }
    : { text, capped: false };
}

/**
 * The content of `errors/NN-<slug>.json` for a failed command stage: the original CLI's keys
 * (`run_id`, `task_id`, `command_index`, `command_id`, `command`, `reason: "command-failed"`,
 * `details {exit_code, stderr, stderr_truncated?, stdout_truncated?}` with stderr capped at 8 KiB,
 * `created_at`) for its readers, and ours beside them. Why the process ended (exit, signal,
 * timeout, spawn-error) is `exit_reason`, as in the manifest, since `reason` is the original's.
 */
export function buildErrorFile(options: BuildErrorFileOptions): Record<string, unknown> {
  const { stage, outcome } = options;
  const stderr = capDetail(options.stderrTail.text.trim());
  const details: Record<string, unknown> = {
    exit_code: outcome.exitCode,
    stderr: stderr.text,
  };
  if (options.stderrTail.truncated || stderr.capped) details.stderr_truncated = true;
  if (options.stdoutTail.truncated) details.stdout_truncated = true;
  if (outcome.signal !== null) details.signal = outcome.signal;
  return {
    run_id: options.runId,
    task_id: options.taskId,
    command_index: options.index,
    command_id: stage.id,
    command: stage.command,
    reason: "command-failed",
    details,
    created_at: (options.now ?? new Date()).toISOString(),
    stage_id: stage.id,
    index: options.index,
    title: stage.title,
    cwd: options.cwd,
    allow_failure: stage.allowFailure ?? false,
    exit_code: outcome.exitCode,
    signal: outcome.signal,
    exit_reason: outcome.reason === "cancelled" ? "signal" : outcome.reason,
    error: outcome.error,
    started_at: options.entry.started_at,
    completed_at: options.entry.completed_at,
    attempts: options.attempts,
    stdout_tail: options.stdoutTail.text,
    stderr_tail: options.stderrTail.text,
    tail_lines: options.tailLines,
    tail_limit_characters: options.tailLimitCharacters,
    log_path: options.entry.log_path,
  };
}

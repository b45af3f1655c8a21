import path from "node:path";
import { ensureDirectoryInside, toRepoPath, writeJsonAtomic } from "@codex/orchestrator-persistence";
import type { CommandStage } from "@codex/orchestrator-schema";
import type { OutputTail } from "../process/output-tail.js";
import type { ProcessOutcome } from "../process/process-runner.js";
import { buildErrorFile } from "./error-file-record.js";
import type { StageContext } from "../engine/stages/stage-context.js";
import { redactFields, REDACTED_FIELDS } from "./value-redaction.js";

/** Error files keep this much of each stream: enough to diagnose, bounded for huge outputs. */
export const ERROR_TAIL_CHARACTERS = 4 * 1024;

/**
 * Writes `errors/NN-<slug>.json` for a stage that did not succeed, its text redacted; returns its
 * repo-relative path, or null (with a warning) when it could not be written.
 */
export function writeErrorFile(
  context: StageContext,
  stage: CommandStage,
  outcome: ProcessOutcome,
  tails: { stdout: OutputTail; stderr: OutputTail; combined: OutputTail },
): string | null {
  const { session, item } = context;
  const entry = session.entry(item.index);
  const file = path.join(session.paths.errorsDir, `${item.fileStem}.json`);
  const record = buildErrorFile({
    runId: session.manifest.run_id,
    taskId: session.manifest.task_id,
    stage,
    index: item.index,
    cwd: toRepoPath(session.locations.root, item.cwd) || ".",
    entry: { started_at: entry.started_at, completed_at: new Date().toISOString(), log_path: entry.log_path },
    outcome,
    attempts: [...(entry.attempts ?? [])],
    stdoutTail: { text: tails.stdout.text, truncated: tails.stdout.truncated },
    stderrTail: { text: tails.stderr.text, truncated: tails.stderr.truncated },
    tailLines: tails.combined.lines(20),
    tailLimitCharacters: ERROR_TAIL_CHARACTERS,
  });
  try {
    ensureDirectoryInside(session.paths.errorsDir, session.paths.runDir);
    writeJsonAtomic(file, redactFields(record, REDACTED_FIELDS.errorFile, session.recorder.redactor));
    return toRepoPath(session.locations.root, file);
  } catch (error) {
    context.bus.emit("warning", {
      runId: session.manifest.run_id,
      message: `Could not write the error file: ${String(error)}`,
    });
    return null;
  }
}

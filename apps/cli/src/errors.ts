import { OrchestratorError } from "@codex/orchestrator-schema/errors";

/** A bad flag or argument, reported like every usage error (exit 2). */
export class UsageError extends OrchestratorError {
  constructor(message: string, hint?: string) {
    super(message, { code: "ERR_USAGE", usage: true, ...(hint === undefined ? {} : { hint }) });
  }
}

/**
 * The one place errors become output and exit codes: an expected error prints one line (and its
 * hint) and exits 2 for bad input, 1 otherwise; anything else is a bug and shows its stack.
 */
export function reportError(error: unknown): number {
  if (error instanceof OrchestratorError) {
    const hint = error.hint === undefined ? "" : ` (${namingFlags(error.hint)})`;
    const message = namingFlags(error.message.replace(/\s*\n\s*/g, " "));
    process.stderr.write(`codex-orchestrator: ${message}${hint}\n`);
    return error.usage ? 2 : 1;
  }
  process.stderr.write(
    `codex-orchestrator: unexpected error (a bug; please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

// The libraries name the options of the programmatic API; on the command line they are flags.
const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  "the `taskId` option": "--task",
  "the `runId` argument": "--run",
  "the `parentRunId` option": "--parent-run",
  "the `stageId` option": "--stage",
  "the `actor` option": "--actor",
  "the `force` option": "--force",
  "the `root` option": "--root",
};

/** A library message with each option it names replaced by the command-line flag. */
export function namingFlags(text: string): string {
  return text.replace(/the `[A-Za-z]+` (?:option|argument)/g, (phrase) => FLAG_OF_OPTION[phrase] ?? phrase);
}

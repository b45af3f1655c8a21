/** Options for {@link OrchestratorError}. */
export interface OrchestratorErrorOptions {
  /** Stable machine-readable code, e.g. `ERR_MANIFEST_INVALID`. */
  code: string;
  /** What the user can do about it, one short sentence. */
  hint?: string;
  /** The underlying error, kept for debugging. */
  cause?: unknown;
  /** True when the error is the caller's fault (bad flag, id, config, manifest): the CLI exits 2. */
  usage?: boolean;
}

/**
 * The base of every error codex-orchestrator packages throw on purpose. The CLI prints `message`
 * (and `hint`) on one line and maps `usage` errors to exit code 2; anything else is a bug.
 */
export class OrchestratorError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** What the user can do about it. */
  readonly hint: string | undefined;
  /** True when bad input caused it (exit code 2). */
  readonly usage: boolean;

  constructor(message: string, options: OrchestratorErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.hint = options.hint;
    this.usage = options.usage ?? false;
  }
}

/** One problem found while validating a value: a path a person can follow and what is wrong there. */
export interface ValidationIssue {
  /** Dotted path with array indexes, e.g. `commands[0].index`; empty string for the root. */
  path: string;
  /** What is wrong at that path. */
  message: string;
}

/** A value (manifest, config, event, …) did not match its schema. */
export class SchemaValidationError extends OrchestratorError {
  /** Every problem found, in document order. */
  readonly issues: readonly ValidationIssue[];

  constructor(subject: string, issues: readonly ValidationIssue[], options: { source?: string } = {}) {
    const first = issues[0];
    const where = options.source === undefined ? "" : ` (${options.source})`;
    const detail =
      first === undefined ? "" : `: ${first.path === "" ? "" : `${first.path}: `}${first.message}`;
    const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : "";
    super(`Invalid ${subject}${where}${detail}${more}`, {
      code: "ERR_SCHEMA_INVALID",
      hint: `Fix the ${subject} so it matches the schema.`,
      usage: true,
    });
    this.issues = issues;
  }
}

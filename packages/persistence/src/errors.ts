import { OrchestratorError } from "@codex/orchestrator-schema/errors";

/** A file operation failed; the message says what was being done and to which path. */
export class PersistenceError extends OrchestratorError {
  /** The path the operation was about. */
  readonly path: string;

  constructor(
    action: string,
    path: string,
    cause: unknown,
    options: { usage?: boolean; hint?: string } = {},
  ) {
    const reason = describeFsError(cause);
    super(`Could not ${action} ${path}: ${reason}`, {
      code: "ERR_PERSISTENCE",
      cause,
      usage: options.usage ?? false,
      ...withHint(options.hint ?? hintFor(cause)),
    });
    this.path = path;
  }
}

/** A task id, run id or stage id is unsafe to build a path from. */
export class InvalidIdError extends OrchestratorError {
  constructor(
    message: string,
    hint = "Ids may not contain '/', '\\', '..', control characters or <>:\"|?*.",
  ) {
    super(message, { code: "ERR_INVALID_ID", usage: true, hint });
  }
}

/** A lock is held by a live process (a running run, a concurrent resume). */
export class LockHeldError extends OrchestratorError {
  /** The pid holding the lock, when known. */
  readonly holderPid: number | null;

  constructor(message: string, holderPid: number | null) {
    super(message, { code: "ERR_LOCK_HELD", usage: true });
    this.holderPid = holderPid;
  }
}

/** A manifest is missing, unreadable or does not match the schema. */
export class ManifestReadError extends OrchestratorError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: "ERR_MANIFEST_UNREADABLE", usage: true, cause });
  }
}

/** A write would leave the runs/out directory (a planted symlink, a traversal). */
export class UnsafePathError extends OrchestratorError {
  constructor(message: string) {
    super(message, { code: "ERR_UNSAFE_PATH", usage: true });
  }
}

/** An input file that must be a regular file of bounded size is not (a FIFO, a device, too large). */
export class InputFileError extends OrchestratorError {
  constructor(message: string) {
    super(message, { code: "ERR_INPUT_FILE", usage: true });
  }
}

function withHint(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}

const FS_REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on device",
  EFBIG: "file too large (file-size limit reached)",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  ENOTDIR: "a parent is not a directory",
  EISDIR: "is a directory",
  EEXIST: "already exists",
  ELOOP: "refusing to follow a symbolic link",
};

/** A short human reason for a Node filesystem error. */
export function describeFsError(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code in FS_REASONS) return `${FS_REASONS[code]} (${code})`;
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

function hintFor(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return "Check the permissions of the runs directory (CODEX_ORCHESTRATOR_RUNS_DIR).";
  }
  if (code === "ENOSPC" || code === "EFBIG" || code === "EDQUOT")
    return "Free disk space, then resume the run.";
  return undefined;
}

import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PersistenceError, UnsafePathError } from "./errors.js";

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `milliseconds` (used only while waiting for a short-lived lock). */
export function sleepSync(milliseconds: number): void {
  Atomics.wait(SLEEP_CELL, 0, 0, milliseconds);
}

function isInside(base: string, candidate: string): boolean {
  const relative = path.relative(base, candidate);
  // `..foo` is a name inside base; only `..` itself or `../…` leaves it.
  return (
    relative === "" ||
    (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

/** The deepest part of `directory` that exists already (symlinks followed), or null. */
function existingAncestor(directory: string): string | null {
  let current = path.resolve(directory);
  for (;;) {
    if (fs.existsSync(current)) return current;
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/**
 * Creates `directory` (and parents) and proves that, symlinks resolved, it still lies inside
 * `within` — so a link planted inside the runs directory cannot redirect writes elsewhere.
 */
export function ensureDirectoryInside(directory: string, within: string): void {
  if (!isInside(path.resolve(within), path.resolve(directory))) {
    throw new UnsafePathError(`Refusing to write to ${directory}: it is outside ${within}`);
  }
  let realBase: string;
  try {
    fs.mkdirSync(within, { recursive: true });
    realBase = fs.realpathSync(within);
  } catch (error) {
    throw new PersistenceError("create directory", within, error);
  }
  // Check what exists before creating anything: mkdir through a planted link would already
  // create directories outside `within`, even if the check afterwards refuses.
  const ancestor = existingAncestor(directory);
  if (ancestor !== null) {
    let realAncestor: string;
    try {
      realAncestor = fs.realpathSync(ancestor);
    } catch (error) {
      throw new PersistenceError("resolve directory", ancestor, error);
    }
    if (!isInside(realBase, realAncestor)) {
      throw new UnsafePathError(
        `Refusing to write to ${directory}: a symbolic link leads it outside ${within} (to ${realAncestor})`,
      );
    }
  }
  try {
    fs.mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new PersistenceError("create directory", directory, error);
  }
  let realDirectory: string;
  try {
    realDirectory = fs.realpathSync(directory);
  } catch (error) {
    throw new PersistenceError("resolve directory", directory, error);
  }
  if (!isInside(realBase, realDirectory)) {
    throw new UnsafePathError(
      `Refusing to write to ${directory}: a symbolic link leads it outside ${within} (to ${realDirectory})`,
    );
  }
}

/** Creates a directory (and parents), wrapping failures with the path. */
export function ensureDirectory(directory: string): void {
  try {
    // node:fs alone: fs-extra (with graceful-fs) cost ~18 ms of start-up for this one call.
    fs.mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new PersistenceError("create directory", directory, error);
  }
}

/**
 * Writes a whole file so that readers see the old content or the new, never a torn one:
 * a uniquely named temp file beside it (created exclusively, so never through a link), then rename.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    fs.writeFileSync(temporary, data, { flag: "wx" });
    fs.renameSync(temporary, file);
  } catch (error) {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // The temp file is invisible to readers; leaving it is harmless.
    }
    throw new PersistenceError("write", file, error);
  }
}

/** Serializes `value` as 2-space JSON with a final newline and writes it atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a UTF-8 file, wrapping failures with the path; null when it does not exist. */
export function readTextIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new PersistenceError("read", file, error);
  }
}

const APPEND_FLAGS =
  fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;

/**
 * Appends text with one `write(2)` on an `O_APPEND` descriptor. The kernel positions and writes
 * each such call as a unit on local file systems, so lines from concurrent processes never interleave.
 */
export function appendTextSync(file: string, text: string): void {
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(file, APPEND_FLAGS, 0o644);
    writeAll(descriptor, Buffer.from(text, "utf8"));
  } catch (error) {
    throw new PersistenceError("append to", file, error);
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor);
  }
}

/** An append-only file kept open for a run's event logs. */
export class AppendFile {
  readonly path: string;
  #descriptor: number | null;

  constructor(file: string) {
    this.path = file;
    try {
      this.#descriptor = fs.openSync(file, APPEND_FLAGS, 0o644);
    } catch (error) {
      throw new PersistenceError("open for appending", file, error);
    }
  }

  /** Appends text in one write; throws {@link PersistenceError} (disk full, …). */
  write(text: string | Buffer): void {
    if (this.#descriptor === null)
      throw new PersistenceError("append to", this.path, new Error("file already closed"));
    try {
      writeAll(this.#descriptor, typeof text === "string" ? Buffer.from(text, "utf8") : text);
    } catch (error) {
      throw new PersistenceError("append to", this.path, error);
    }
  }

  /** Closes the descriptor; further writes throw. */
  close(): void {
    if (this.#descriptor === null) return;
    const descriptor = this.#descriptor;
    this.#descriptor = null;
    fs.closeSync(descriptor);
  }
}

function writeAll(descriptor: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) {
    offset += fs.writeSync(descriptor, buffer, offset, buffer.length - offset);
  }
}

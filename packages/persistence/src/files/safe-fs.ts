import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { InputFileError, PersistenceError, UnsafePathError } from "../errors.js";

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `milliseconds` (used only while waiting for a short-lived lock). */
export function sleepSync(milliseconds: number): void {
  Atomics.wait(SLEEP_CELL, 0, 0, milliseconds);
}

/** Whether `candidate` is `base` or lies below it (paths compared as text; resolve links first). */
export function isInside(base: string, candidate: string): boolean {
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
 * `mkdir -p`. Node's recursive mkdir reports ENOENT when a parent cannot be created on a read-only
 * file system; creating the missing parts one by one then surfaces the real reason (EROFS, EACCES).
 */
function makeDirectories(directory: string): void {
  try {
    fs.mkdirSync(directory, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const ancestor = existingAncestor(directory);
    if (ancestor === null) throw error;
    let current = ancestor;
    for (const part of path.relative(ancestor, path.resolve(directory)).split(path.sep)) {
      current = path.join(current, part);
      try {
        fs.mkdirSync(current);
      } catch (partError) {
        if ((partError as NodeJS.ErrnoException).code !== "EEXIST") throw partError;
      }
    }
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
    makeDirectories(within);
    realBase = fs.realpathSync(within);
  } catch (error) {
    throw new PersistenceError("create directory", within, error);
  }
  // Check what exists before creating anything: mkdir through a planted link would already
  // create directories outside `within`, even if the check afterwards refuses.
  const ancestor = existingAncestor(directory);
  if (ancestor !== null) assertResolvesInside(ancestor, { realBase, within, directory });
  try {
    makeDirectories(directory);
  } catch (error) {
    throw new PersistenceError("create directory", directory, error);
  }
  assertResolvesInside(directory, { realBase, within, directory });
}

// `existing`, links resolved, must lie inside `realBase`: otherwise writing to `directory` would
// land outside `within`.
function assertResolvesInside(
  existing: string,
  target: { realBase: string; within: string; directory: string },
): void {
  let real: string;
  try {
    real = fs.realpathSync(existing);
  } catch (error) {
    throw new PersistenceError("resolve directory", existing, error);
  }
  if (!isInside(target.realBase, real)) {
    throw new UnsafePathError(
      `Refusing to write to ${target.directory}: a symbolic link leads it outside ${target.within} (to ${real})`,
    );
  }
}

/** Creates a directory (and parents), wrapping failures with the path. */
export function ensureDirectory(directory: string): void {
  try {
    // node:fs alone: fs-extra (with graceful-fs) cost ~18 ms of start-up for this one call.
    makeDirectories(directory);
  } catch (error) {
    throw new PersistenceError("create directory", directory, error);
  }
}

/**
 * Writes a whole file so that readers see the old content or the new, never a torn one:
 * a uniquely named temp file beside it (created exclusively, so never through a link), then rename.
 */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): void {
  // rename() would replace a planted link rather than follow it, but a link where a run file
  // belongs means someone tampered with the folder: refuse and write nothing.
  if (isSymbolicLink(file)) throw new UnsafePathError(`Refusing to write to ${file}: it is a symbolic link`);
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    // The mode is set at creation, so a secret file is never readable by others, even briefly.
    fs.writeFileSync(temporary, data, { flag: "wx", mode: options.mode ?? 0o666 });
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

/** Whether `file` is a symbolic link itself (false when it is absent or cannot be examined). */
export function isSymbolicLink(file: string): boolean {
  try {
    return fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() === true;
  } catch {
    return false;
  }
}

/** Serializes `value` as 2-space JSON with a final newline and writes it atomically. */
export function writeJsonAtomic(file: string, value: unknown, options: { mode?: number } = {}): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, options);
}

/** Options for {@link readTextIfExists}. */
export interface ReadTextOptions {
  /** False refuses a symbolic link at the file itself (files of a run folder); default true. */
  followLinks?: boolean;
  /** Larger files are refused instead of read (inputs such as the config); default unlimited. */
  maxBytes?: number;
}

/** The size limit of the files a user hands us: the config and `tasks/index.json` (8 MiB). */
export const MAX_INPUT_FILE_BYTES = 8 * 1024 * 1024;

const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

/**
 * Reads a UTF-8 regular file, wrapping failures with the path; null when it does not exist.
 * The file is opened without blocking and checked on the open descriptor, so a FIFO cannot hang
 * the reader and a device such as /dev/zero cannot fill memory: both are refused (usage error).
 */
export function readTextIfExists(file: string, options: ReadTextOptions = {}): string | null {
  const flags = options.followLinks === false ? READ_FLAGS | fs.constants.O_NOFOLLOW : READ_FLAGS;
  let descriptor: number;
  try {
    descriptor = fs.openSync(file, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "ELOOP" && options.followLinks === false)
      throw new UnsafePathError(`Refusing to read ${file}: it is a symbolic link`);
    throw new PersistenceError("read", file, error);
  }
  try {
    const stats = fs.fstatSync(descriptor);
    if (!stats.isFile())
      throw new InputFileError(
        `Refusing to read ${file}: it is ${describeFileType(stats)}, not a regular file`,
      );
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (stats.size > maxBytes)
      throw new InputFileError(`Refusing to read ${file}: it is larger than ${formatBytes(maxBytes)}`);
    return readAll(descriptor, file, maxBytes).toString("utf8");
  } finally {
    fs.closeSync(descriptor);
  }
}

function readAll(descriptor: number, file: string, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024);
    let read: number;
    try {
      read = fs.readSync(descriptor, chunk, 0, chunk.length, null);
    } catch (error) {
      throw new PersistenceError("read", file, error);
    }
    if (read === 0) return Buffer.concat(chunks, total);
    total += read;
    // The file grew after the size check: still bounded.
    if (total > maxBytes)
      throw new InputFileError(`Refusing to read ${file}: it is larger than ${formatBytes(maxBytes)}`);
    chunks.push(chunk.subarray(0, read));
  }
}

function describeFileType(stats: fs.Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

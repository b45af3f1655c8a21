import fs from "node:fs";
import type { LineChain } from "@codex/orchestrator-schema/evidence";
import { PersistenceError, UnsafePathError } from "../errors.js";

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
    throw appendError(file, error);
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor);
  }
}

/** An append-only file kept open for a run's event logs. */
export class AppendFile {
  readonly path: string;
  /** The file's hash chain, when its lines carry one (a run's logs): see {@link writeLine}. */
  readonly chain: LineChain | null;
  #descriptor: number | null;

  constructor(file: string, options: { chain?: LineChain | null } = {}) {
    this.path = file;
    this.chain = options.chain ?? null;
    try {
      this.#descriptor = fs.openSync(file, APPEND_FLAGS, 0o644);
    } catch (error) {
      throw appendError(file, error, "open for appending");
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

  /** Appends pieces, in order, in one write (the kernel gathers them: no copy here). Throws. */
  writeParts(parts: readonly Uint8Array[]): void {
    if (this.#descriptor === null)
      throw new PersistenceError("append to", this.path, new Error("file already closed"));
    try {
      writeAllParts(this.#descriptor, parts);
    } catch (error) {
      throw new PersistenceError("append to", this.path, error);
    }
  }

  /**
   * Appends one JSON-object line (ending in `}\n`) in one write; on a chained file its `prev` goes
   * in before the closing brace. Throws {@link PersistenceError}.
   */
  writeLine(line: string | Buffer): void {
    if (this.chain === null) {
      this.write(line);
      return;
    }
    const bytes = typeof line === "string" ? Buffer.from(line, "utf8") : line;
    const body = bodyOfLine(bytes, this.path);
    const end = this.chain.seal(body);
    this.write(Buffer.concat([body, Buffer.from(end, "latin1")]));
  }

  /** Closes the descriptor; further writes throw. */
  close(): void {
    if (this.#descriptor === null) return;
    const descriptor = this.#descriptor;
    this.#descriptor = null;
    fs.closeSync(descriptor);
  }
}

// O_NOFOLLOW makes a link planted at the file itself fail with ELOOP: refused, as bad input.
function appendError(file: string, error: unknown, action = "append to"): Error {
  if ((error as NodeJS.ErrnoException).code === "ELOOP")
    return new UnsafePathError(`Refusing to write to ${file}: it is a symbolic link`);
  return new PersistenceError(action, file, error);
}

/** A JSON-object line without its closing `}\n`, where a chained line's `prev` goes. */
export function bodyOfLine(line: Uint8Array, file: string): Uint8Array {
  const length = line.length;
  if (length < 2 || line[length - 2] !== 0x7d || line[length - 1] !== 0x0a)
    throw new PersistenceError(
      "append to",
      file,
      new Error("a chained line must be a JSON object ending in }\\n"),
    );
  return line.subarray(0, length - 2);
}

// One writev(2) for up to IOV_MAX pieces; beyond that (many short lines), one joined buffer.
const MAX_PIECES = 1024;

function writeAllParts(descriptor: number, parts: readonly Uint8Array[]): void {
  if (parts.length > MAX_PIECES) {
    writeAll(descriptor, Buffer.concat(parts));
    return;
  }
  let pending = parts.filter((part) => part.length > 0);
  while (pending.length > 0) {
    let written = fs.writevSync(descriptor, pending);
    // A short write continues where it stopped.
    let index = 0;
    while (index < pending.length && written >= (pending[index] as Uint8Array).length) {
      written -= (pending[index] as Uint8Array).length;
      index += 1;
    }
    pending = pending.slice(index);
    if (pending.length > 0 && written > 0) pending[0] = (pending[0] as Uint8Array).subarray(written);
  }
}

function writeAll(descriptor: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) {
    offset += fs.writeSync(descriptor, buffer, offset, buffer.length - offset);
  }
}

import { PersistenceError } from "../errors.js";
import type { AppendFile } from "./safe-fs.js";

/** The longest a collected line waits before it is written. */
export const BATCH_MAX_DELAY_MS = 50;
/**
 * A batch is written as soon as it holds this many bytes. Larger writes cost more here than they
 * save: the kernel then fills the page cache with large folios, whose first use on a virtual machine
 * can make a write several times slower (measured in docs/performance.md).
 */
export const BATCH_BYTES = 128 * 1024;
// Lines up to this long are encoded into the (reused) batch buffer; a longer one is written alone.
const LINE_BUFFER_BYTES = 1024 * 1024;

/** Options for {@link BatchedAppender}. */
export interface BatchedAppenderOptions {
  /**
   * Receives every failed batch write, once, with the `owner` its lines were appended for. A batch
   * is written after the {@link BatchedAppender.append} calls that filled it (when it is full, on a
   * timer, on flush), so a failure cannot be thrown to whoever appended each line.
   */
  onError: (error: PersistenceError, owner: number) => void;
  /** A batch is written as soon as it holds this many bytes (default {@link BATCH_BYTES}). */
  batchBytes?: number;
  /** The longest a collected line waits before it is written (default {@link BATCH_MAX_DELAY_MS}). */
  maxDelayMs?: number;
}

/**
 * Appends whole lines to files in batches: lines are encoded into one reused buffer and written
 * together as soon as they reach `batchBytes`, after at most `maxDelayMs`, or on {@link flush} —
 * one `write(2)` of whole lines per file, on `O_APPEND` descriptors, so appends from other processes
 * never tear or interleave them. Lines stay in the order they were appended; a flush writes every
 * line appended before it, so the caller can then write other lines to the same files directly.
 * Between calls the unwritten batch is under `batchBytes` and was collected within the last
 * `maxDelayMs`: that is the most a crash can lose.
 */
export class BatchedAppender {
  readonly #onError: (error: PersistenceError, owner: number) => void;
  readonly #batchBytes: number;
  readonly #capacity: number;
  readonly #maxDelayMs: number;
  #buffer: Buffer | null = null;
  #length = 0;
  #files: readonly AppendFile[] = [];
  #owner = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: BatchedAppenderOptions) {
    this.#onError = options.onError;
    this.#batchBytes = options.batchBytes ?? BATCH_BYTES;
    this.#capacity = Math.max(this.#batchBytes, LINE_BUFFER_BYTES);
    this.#maxDelayMs = options.maxDelayMs ?? BATCH_MAX_DELAY_MS;
  }

  /** Bytes collected and not yet written. */
  get pendingBytes(): number {
    return this.#length;
  }

  /**
   * Collects one whole line (ending in a newline) for `files`, given as one string or as parts to
   * write one after the other (which spares joining them). `owner` comes back with a failure to
   * write it. A line for other files or another owner first writes the batch. Never throws:
   * failures go to `onError`.
   */
  append(line: string | readonly string[], files: readonly AppendFile[], owner: number): void {
    if (files.length === 0) return;
    this.#flushIfOtherBatch(files, owner);
    const parts = typeof line === "string" ? [line] : line;
    let room = this.#capacity - this.#length;
    let needed = 0;
    for (const part of parts) needed += part.length * 3; // UTF-8 bytes per UTF-16 unit, at most
    if (needed > room) {
      needed = 0;
      for (const part of parts) needed += Buffer.byteLength(part, "utf8");
      if (needed > room) {
        this.flush();
        room = this.#capacity;
      }
      if (needed > room) {
        writeEach(Buffer.from(parts.join(""), "utf8"), files, owner, this.#onError);
        return;
      }
    }
    const buffer = this.#bufferFor(files, owner);
    let written = 0;
    for (const part of parts) written += buffer.write(part, this.#length + written, "utf8");
    this.#collected(written);
  }

  // A line for other files or another owner first writes the batch.
  #flushIfOtherBatch(files: readonly AppendFile[], owner: number): void {
    if (this.#length > 0 && (owner !== this.#owner || !sameFiles(files, this.#files))) this.flush();
  }

  // Counts a line written into the batch; a full batch is written at once.
  #collected(bytes: number): void {
    this.#length += bytes;
    if (this.#length >= this.#batchBytes) this.flush();
  }

  // The batch buffer, with the batch's files, owner and timer set when it starts a new batch.
  #bufferFor(files: readonly AppendFile[], owner: number): Buffer {
    this.#buffer ??= Buffer.allocUnsafeSlow(this.#capacity);
    if (this.#length === 0) {
      this.#files = files;
      this.#owner = owner;
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        this.flush();
      }, this.#maxDelayMs);
    }
    return this.#buffer;
  }

  /** Writes the collected lines now. Failures go to `onError` before it returns. */
  flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#length === 0 || this.#buffer === null) return;
    const batch = this.#buffer.subarray(0, this.#length);
    this.#length = 0;
    writeEach(batch, this.#files, this.#owner, this.#onError);
  }
}

function writeEach(
  batch: Buffer,
  files: readonly AppendFile[],
  owner: number,
  onError: (error: PersistenceError, owner: number) => void,
): void {
  for (const file of files) {
    try {
      file.write(batch);
    } catch (error) {
      onError(
        error instanceof PersistenceError ? error : new PersistenceError("append to", file.path, error),
        owner,
      );
      return;
    }
  }
}

function sameFiles(left: readonly AppendFile[], right: readonly AppendFile[]): boolean {
  return left.length === right.length && left.every((file, index) => file === right[index]);
}

import { PersistenceError } from "../errors.js";
import { MAX_LINE_END_BYTES, PLAIN_LINE_END } from "@codex/orchestrator-schema/evidence";
import type { AppendFile } from "./append-file.js";

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
  // One buffer per file of the batch (a chained file's lines differ in their `prev`).
  readonly #buffers: Buffer[] = [];
  #lengths: number[] = [];
  #length = 0;
  #files: readonly AppendFile[] = [];
  // Whether a file of the batch is chained; if none is, every file gets the first buffer's bytes.
  #chained = false;
  #owner = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: BatchedAppenderOptions) {
    this.#onError = options.onError;
    this.#batchBytes = options.batchBytes ?? BATCH_BYTES;
    this.#capacity = Math.max(this.#batchBytes, LINE_BUFFER_BYTES) + MAX_LINE_END_BYTES;
    this.#maxDelayMs = options.maxDelayMs ?? BATCH_MAX_DELAY_MS;
  }

  /** Bytes collected and not yet written (for the batch's first file). */
  get pendingBytes(): number {
    return this.#length;
  }

  /**
   * Collects one whole line (ending in a newline) for `files`, given as one string or as parts to
   * write one after the other (which spares joining them). On a chained file (AppendFile.chain) the
   * line must be a JSON object ending in `}\n`, and gets its `prev` before the brace. `owner` comes
   * back with a failure to write it. A line for other files or another owner first writes the
   * batch. Never throws: failures go to `onError`.
   */
  append(line: string | readonly string[], files: readonly AppendFile[], owner: number): void {
    if (files.length === 0) return;
    this.#flushIfOtherBatch(files, owner);
    const parts = typeof line === "string" ? [line] : line;
    let room = this.#capacity - MAX_LINE_END_BYTES - this.#length;
    let needed = 0;
    for (const part of parts) needed += part.length * 3; // UTF-8 bytes per UTF-16 unit, at most
    if (needed > room) {
      needed = 0;
      for (const part of parts) needed += Buffer.byteLength(part, "utf8");
      if (needed > room) {
        this.flush();
        room = this.#capacity - MAX_LINE_END_BYTES;
      }
      if (needed > room) {
        writeEachLine(Buffer.from(parts.join(""), "utf8"), files, owner, this.#onError);
        return;
      }
    }
    this.#startBatch(files, owner);
    const first = this.#buffers[0] as Buffer;
    const start = this.#lengths[0] as number;
    let written = 0;
    for (const part of parts) written += first.write(part, start + written, "utf8");
    this.#collected(start, start + written);
  }

  // A line for other files or another owner first writes the batch.
  #flushIfOtherBatch(files: readonly AppendFile[], owner: number): void {
    if (this.#length > 0 && (owner !== this.#owner || !sameFiles(files, this.#files))) this.flush();
  }

  // Counts a line written into the first buffer: copied to the others, each file's line sealed
  // (its chain's `prev`), and a full batch written at once.
  #collected(start: number, end: number): void {
    const first = this.#buffers[0] as Buffer;
    if (!this.#chained) {
      // Unchained files get the same bytes: the first buffer is written to each of them.
      this.#length = end;
      this.#lengths[0] = end;
      if (this.#length >= this.#batchBytes) this.flush();
      return;
    }
    const bodyEnd = end - PLAIN_LINE_END.length;
    if (!endsWithBrace(first, end)) {
      this.#lengths[0] = start;
      this.#onError(
        new PersistenceError(
          "append to",
          (this.#files[0] as AppendFile).path,
          new Error("a chained line must be a JSON object ending in }"),
        ),
        this.#owner,
      );
      return;
    }
    this.#files.forEach((file, position) => {
      const buffer = this.#buffers[position] as Buffer;
      let at = this.#lengths[position] as number;
      if (position > 0) at += first.copy(buffer, at, start, bodyEnd);
      else at = bodyEnd;
      const lineEnd =
        file.chain === null ? PLAIN_LINE_END : file.chain.seal(buffer.subarray(at - (bodyEnd - start), at));
      at += buffer.write(lineEnd, at, "latin1");
      this.#lengths[position] = at;
    });
    this.#length = this.#lengths[0] as number;
    if (this.#length >= this.#batchBytes) this.flush();
  }

  // The batch buffers, with the batch's files, owner and timer set when it starts a new batch.
  #startBatch(files: readonly AppendFile[], owner: number): void {
    while (this.#buffers.length < files.length) this.#buffers.push(Buffer.allocUnsafeSlow(this.#capacity));
    if (this.#length === 0) {
      this.#files = files;
      this.#chained = files.some((file) => file.chain !== null);
      this.#owner = owner;
      this.#lengths = files.map(() => 0);
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        this.flush();
      }, this.#maxDelayMs);
    }
  }

  /** Writes the collected lines now. Failures go to `onError` before it returns. */
  flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#length === 0) return;
    const files = this.#files;
    const lengths = this.#lengths;
    const chained = this.#chained;
    this.#length = 0;
    this.#lengths = files.map(() => 0);
    for (const [position, file] of files.entries()) {
      try {
        const buffer = this.#buffers[chained ? position : 0] as Buffer;
        file.write(buffer.subarray(0, lengths[chained ? position : 0]));
      } catch (error) {
        this.#onError(
          error instanceof PersistenceError ? error : new PersistenceError("append to", file.path, error),
          this.#owner,
        );
        return;
      }
    }
  }
}

function endsWithBrace(buffer: Buffer, end: number): boolean {
  return end >= 2 && buffer[end - 2] === 0x7d && buffer[end - 1] === 0x0a;
}

// A line too long for the buffers, written alone to each file (sealed on a chained one).
function writeEachLine(
  line: Buffer,
  files: readonly AppendFile[],
  owner: number,
  onError: (error: PersistenceError, owner: number) => void,
): void {
  for (const file of files) {
    try {
      file.writeLine(line);
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

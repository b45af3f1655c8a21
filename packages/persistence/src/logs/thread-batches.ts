import { BATCH_BYTES, BATCH_MAX_DELAY_MS } from "../files/batched-append.js";
import type { LogThreadClient } from "./log-thread-client.js";

// Room for a batch plus the longest line that still joins it (a 64 KiB chunk, escaped).
const BUFFER_BYTES = 4 * BATCH_BYTES;

/**
 * Output lines on their way to a writer thread, collected as BatchedAppender collects them (at
 * 128 KiB, after at most 50 ms, and on flush) into a buffer that is then handed over whole, without
 * a copy. A line for other logs or another owner first sends the batch.
 */
export class ThreadBatches {
  readonly #client: LogThreadClient;
  #buffer: Buffer | null = null;
  #length = 0;
  #ids: readonly number[] = [];
  #owner = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(client: LogThreadClient) {
    this.#client = client;
  }

  append(parts: readonly string[], ids: readonly number[], owner: number): void {
    if (this.#length > 0 && (owner !== this.#owner || !sameIds(ids, this.#ids))) this.flush();
    let needed = 0;
    for (const part of parts) needed += part.length * 3; // UTF-8 bytes per UTF-16 unit, at most
    if (this.#buffer !== null && this.#length + needed > this.#buffer.length) this.flush();
    if (needed > BUFFER_BYTES) {
      this.#send(Buffer.from(parts.join(""), "utf8"), ids, owner);
      return;
    }
    if (this.#buffer === null) {
      const reused = this.#client.reusableBuffer();
      this.#buffer =
        reused !== null && reused.byteLength === BUFFER_BYTES
          ? Buffer.from(reused)
          : Buffer.allocUnsafeSlow(BUFFER_BYTES);
    }
    if (this.#length === 0) {
      this.#ids = ids;
      this.#owner = owner;
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        this.flush();
      }, BATCH_MAX_DELAY_MS);
    }
    for (const part of parts) this.#length += this.#buffer.write(part, this.#length, "utf8");
    if (this.#length >= BATCH_BYTES) this.flush();
  }

  /** Sends the collected lines (they are written in order, before anything sent later). */
  flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#length === 0 || this.#buffer === null) return;
    const bytes = this.#buffer.subarray(0, this.#length);
    this.#buffer = null;
    this.#length = 0;
    this.#send(bytes, this.#ids, this.#owner);
  }

  #send(bytes: Buffer, ids: readonly number[], owner: number): void {
    // The buffer's memory moves to the thread (allocUnsafeSlow gave it one of its own).
    const transfer =
      bytes.byteOffset === 0 && bytes.buffer.byteLength >= bytes.length ? [bytes.buffer as ArrayBuffer] : [];
    this.#client.send({ op: "batch", ids, owner, bytes, reply: false }, transfer);
  }
}

function sameIds(left: readonly number[], right: readonly number[]): boolean {
  return left.length === right.length && left.every((id, index) => id === right[index]);
}

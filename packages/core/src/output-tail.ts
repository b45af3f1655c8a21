/**
 * Keeps only the last `limit` characters of a stream, for summaries, error files and `status`:
 * output itself goes straight to disk, never held whole in memory.
 */
export class OutputTail {
  readonly #limit: number;
  #text = "";

  constructor(limit = 8 * 1024) {
    this.#limit = limit;
  }

  /** Adds a chunk, dropping the oldest text beyond the limit. */
  push(chunk: string): void {
    this.#text =
      chunk.length >= this.#limit ? chunk.slice(-this.#limit) : (this.#text + chunk).slice(-this.#limit);
  }

  /** The kept text. */
  get text(): string {
    return this.#text;
  }

  /** The last `count` non-empty lines. */
  lines(count = 20): string[] {
    return this.#text
      .split(/\r?\n/)
      .filter((line) => line.trim() !== "")
      .slice(-count);
  }
}

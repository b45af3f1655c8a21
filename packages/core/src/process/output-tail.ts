import { stripTerminalCodes } from "./terminal-text.js";

/**
 * Keeps only the last `limit` characters of a stream, for summaries, error files and `status`:
 * output itself goes straight to disk, never held whole in memory. Chunks are kept as they come
 * and joined only when the tail is read, so a stream of many chunks costs one array entry per
 * chunk until then.
 */
export class OutputTail {
  readonly #limit: number;
  #parts: string[] = [];
  // Parts before this one are dropped (removed from the array now and then, not on every chunk).
  #first = 0;
  // How many characters (UTF-16 units) the parts after the first hold.
  #laterCharacters = 0;
  // Everything ever pushed, to tell whether the tail is all of it.
  #pushedCharacters = 0;

  constructor(limit = 8 * 1024) {
    this.#limit = limit;
  }

  /** Whether more was pushed than the tail keeps (error files say so, as the original CLI did). */
  get truncated(): boolean {
    return this.#pushedCharacters > this.#limit;
  }

  /** Adds a chunk of text. */
  push(chunk: string): void {
    if (chunk === "") return;
    this.#pushedCharacters += chunk.length;
    if (this.#parts.length > this.#first) this.#laterCharacters += chunk.length;
    this.#parts.push(chunk);
    // The oldest part goes once the parts after it hold the limit without it.
    while (this.#parts.length - this.#first > 1 && this.#laterCharacters >= this.#limit) {
      this.#parts[this.#first] = ""; // let go of it now
      this.#first += 1;
      this.#laterCharacters -= this.#parts[this.#first]!.length;
    }
    if (this.#first >= 1024 && this.#first * 2 >= this.#parts.length) {
      this.#parts.splice(0, this.#first);
      this.#first = 0;
    }
  }

  /** The kept text, as a terminal shows it (escape codes removed: this text goes into artifacts). */
  get text(): string {
    const kept = this.#parts.slice(this.#first).join("").slice(-this.#limit);
    this.#parts = kept === "" ? [] : [kept];
    this.#first = 0;
    this.#laterCharacters = 0;
    return stripTerminalCodes(kept);
  }

  /** The last `count` non-empty lines. */
  lines(count = 20): string[] {
    return this.text
      .split(/\r?\n/)
      .filter((line) => line.trim() !== "")
      .slice(-count);
  }
}

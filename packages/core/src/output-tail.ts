/**
 * Keeps only the last `limit` characters of a stream, for summaries, error files and `status`:
 * output itself goes straight to disk, never held whole in memory. Chunks are kept as they come
 * (text, or bytes of whole UTF-8 characters) and joined only when the tail is read, so a stream of
 * many chunks costs one array entry per chunk until then.
 */
export class OutputTail {
  readonly #limit: number;
  #parts: (string | Buffer)[] = [];
  // Parts before this one are dropped (removed from the array now and then, not on every chunk).
  #first = 0;
  // At least how many characters (UTF-16 units) the parts after the first hold.
  #laterCharacters = 0;

  constructor(limit = 8 * 1024) {
    this.#limit = limit;
  }

  /** Adds a chunk of text. */
  push(chunk: string): void {
    this.#add(chunk, chunk.length);
  }

  /** Adds a chunk of whole UTF-8 characters. A character takes at most 3 bytes per UTF-16 unit. */
  pushBytes(bytes: Buffer): void {
    this.#add(bytes, Math.ceil(bytes.length / 3));
  }

  /** The kept text. */
  get text(): string {
    const parts = this.#parts.slice(this.#first);
    const text = parts.map((part) => (typeof part === "string" ? part : part.toString("utf8"))).join("");
    const kept = text.slice(-this.#limit);
    this.#parts = kept === "" ? [] : [kept];
    this.#first = 0;
    this.#laterCharacters = 0;
    return kept;
  }

  /** The last `count` non-empty lines. */
  lines(count = 20): string[] {
    return this.text
      .split(/\r?\n/)
      .filter((line) => line.trim() !== "")
      .slice(-count);
  }

  #add(part: string | Buffer, characters: number): void {
    if (characters === 0) return;
    if (this.#parts.length > this.#first) this.#laterCharacters += characters;
    this.#parts.push(part);
    // The oldest part goes once the parts after it hold the limit without it.
    while (this.#parts.length - this.#first > 1 && this.#laterCharacters >= this.#limit) {
      this.#parts[this.#first] = ""; // let go of it now
      this.#first += 1;
      this.#laterCharacters -= characterBound(this.#parts[this.#first]!);
    }
    if (this.#first >= 1024 && this.#first * 2 >= this.#parts.length) {
      this.#parts.splice(0, this.#first);
      this.#first = 0;
    }
  }
}

function characterBound(part: string | Buffer): number {
  return typeof part === "string" ? part.length : Math.ceil(part.length / 3);
}

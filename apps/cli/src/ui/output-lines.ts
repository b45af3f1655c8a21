/** Splits chunks of output into whole lines, holding a partial last line until its end arrives. */
export class LineSplitter {
  #partial = "";

  /** The whole lines `data` completes. */
  push(data: string): string[] {
    const parts = (this.#partial + data).split("\n");
    this.#partial = parts.pop() ?? "";
    return parts.map(withoutReturn);
  }

  /**
   * The whole lines `data` completes as one block of text (without its last newline), or null: for
   * output read in bulk, where a string per line would cost more than the lines themselves.
   */
  pushBlock(data: string): string | null {
    const text = this.#partial + data;
    const end = text.lastIndexOf("\n");
    if (end === -1) {
      this.#partial = text;
      return null;
    }
    this.#partial = text.slice(end + 1);
    return text.slice(0, end);
  }

  /** What is left when the stream ends (a last line without a newline). */
  end(): string[] {
    const rest = this.#partial;
    this.#partial = "";
    return rest === "" ? [] : [withoutReturn(rest)];
  }
}

/** Every line of a block of whole lines prefixed, each line's trailing carriage return dropped. */
export function prefixLines(block: string, prefix: string): string {
  const lines = block.replace(/\r?\n/g, () => `\n${prefix}`);
  return prefix + (lines.endsWith("\r") ? lines.slice(0, -1) : lines);
}

function withoutReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** The last `limit` lines kept, and how many earlier ones were dropped: output held back is bounded. */
export class LineTail<T = string> {
  readonly #limit: number;
  #lines: T[] = [];
  #dropped = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(lines: readonly T[]): void {
    for (const line of lines) this.#lines.push(line);
    // Trimmed when twice the limit, so a long stream costs amortised constant time per line.
    if (this.#lines.length >= this.#limit * 2) this.#trim();
  }

  /** Lines no longer held. */
  get dropped(): number {
    this.#trim();
    return this.#dropped;
  }

  get lines(): readonly T[] {
    this.#trim();
    return this.#lines;
  }

  #trim(): void {
    const excess = this.#lines.length - this.#limit;
    if (excess <= 0) return;
    this.#lines = this.#lines.slice(excess);
    this.#dropped += excess;
  }
}

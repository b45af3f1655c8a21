import { createHash, type Hash } from "node:crypto";
import fs from "node:fs";

/**
 * The hash chain of an NDJSON log. Every line is a JSON object whose last field is
 * `"prev":"<sha256 hex>"`: the sha256 of every byte of the file before that line, or for the first
 * line, the sha256 of the run id. A removed, reordered or edited line changes what the next line
 * should carry; the last line is covered by the attestation, which records each log's digest.
 *
 * Hashing the whole prefix, rather than the previous line alone, costs the same (every byte is
 * hashed once) and leaves the file's sha256 at hand when the log closes: the attestation needs no
 * second pass over large logs (docs/decisions/0016-evidence-hash-chains.md).
 */
export const CHAIN_FIELD = "prev";

/** The `prev` of a log's first line: sha256 of the run id, hex. */
export function chainStart(runId: string): string {
  return createHash("sha256").update(runId, "utf8").digest("hex");
}

/** What closes a chained line whose body (the JSON object without its `}`) carries `prev`. */
export function chainedLineEnd(prev: string): string {
  return `,"${CHAIN_FIELD}":"${prev}"}\n`;
}

/** What closes an unchained line. */
export const PLAIN_LINE_END = "}\n";

/** The longest line end: a chained one. */
export const MAX_LINE_END_BYTES = chainedLineEnd("0".repeat(64)).length;

/**
 * The running state of one log's chain: the hash of the file so far and its line count. The writer
 * asks it for each line's end; the reader follows the same steps to check one.
 */
export class LineChain {
  readonly #start: string;
  #hash: Hash;
  #lines = 0;
  #bytes = 0;

  private constructor(start: string) {
    this.#start = start;
    this.#hash = createHash("sha256");
  }

  /** A chain for a log that does not exist yet (or is empty). */
  static begin(runId: string): LineChain {
    return new LineChain(chainStart(runId));
  }

  /**
   * A chain that continues an existing log (resume, after a crash): its whole content is hashed,
   * its lines counted. A missing file is an empty one.
   */
  static continueFile(file: string, runId: string): LineChain {
    const chain = LineChain.begin(runId);
    // Most logs are new: a stat that finds nothing costs less than an open that fails.
    if ((fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) === 0) return chain;
    let descriptor: number;
    try {
      descriptor = fs.openSync(file, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return chain;
      throw error;
    }
    try {
      const buffer = Buffer.allocUnsafe(1024 * 1024);
      for (;;) {
        const read = fs.readSync(descriptor, buffer, 0, buffer.length, null);
        if (read === 0) break;
        chain.#absorb(buffer.subarray(0, read));
      }
    } finally {
      fs.closeSync(descriptor);
    }
    return chain;
  }

  /** The `prev` the next line must carry. */
  get next(): string {
    return this.#bytes === 0 ? this.#start : this.#hash.copy().digest("hex");
  }

  /** Complete lines so far. */
  get lines(): number {
    return this.#lines;
  }

  /** sha256 (hex) of every byte so far: the file's digest. */
  digest(): string {
    return this.#hash.copy().digest("hex");
  }

  /**
   * Seals one line: returns its end (`,"prev":"…"}\n`) after hashing `body` and that end. `body`
   * is the line's JSON object without its closing brace.
   */
  seal(body: Uint8Array): string {
    const end = chainedLineEnd(this.next);
    this.#hash.update(body);
    this.#hash.update(end);
    this.#bytes += body.length + end.length;
    this.#lines += 1;
    return end;
  }

  // Existing bytes, taken as they are.
  #absorb(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#hash.update(bytes);
    this.#bytes += bytes.length;
    for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) this.#lines += 1;
  }
}

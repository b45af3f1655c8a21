import { closeSync, lstatSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a growing NDJSON file one whole line at a time, a 64 KiB chunk at a time, so a log of any
 * size is read in bounded memory. At the current end it answers null and keeps a partial last line
 * for later: the same reader follows a file another process is still appending to.
 */
export class NdjsonLineReader {
  readonly #file: string;
  readonly #decoder = new StringDecoder("utf8");
  readonly #chunk = Buffer.alloc(CHUNK_BYTES);
  #fd: number | null = null;
  #position = 0;
  #text = "";
  #cursor = 0;

  constructor(file: string) {
    this.#file = file;
  }

  /** The next whole line (without its newline), or null when none is complete yet. */
  next(): string | null {
    for (;;) {
      const end = this.#text.indexOf("\n", this.#cursor);
      if (end !== -1) {
        const line = this.#text.slice(this.#cursor, end);
        this.#cursor = end + 1;
        return line;
      }
      if (!this.#readMore()) return null;
    }
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #readMore(): boolean {
    if (this.#fd === null) {
      // A log that is not there yet (a stage that has not started) is read once it appears; a link
      // planted in its place is never followed.
      try {
        if (!lstatSync(this.#file).isFile()) return false;
        this.#fd = openSync(this.#file, "r");
      } catch {
        return false;
      }
    }
    const bytes = readSync(this.#fd, this.#chunk, 0, CHUNK_BYTES, this.#position);
    if (bytes === 0) return false;
    this.#position += bytes;
    this.#text = this.#text.slice(this.#cursor) + this.#decoder.write(this.#chunk.subarray(0, bytes));
    this.#cursor = 0;
    return true;
  }
}

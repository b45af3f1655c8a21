import { MAX_CACHED_LOG_BYTES, type LogChunk } from "../../cache/cache-store.js";

/** Collects a stage's output for the cache (the last attempt's), up to a bound. */
export class CacheLogCollector {
  #chunks: LogChunk[] = [];
  #bytes = 0;
  #overflow = false;

  /** Starts over (a new attempt). */
  reset(): void {
    this.#chunks = [];
    this.#bytes = 0;
    this.#overflow = false;
  }

  push(stream: LogChunk["stream"], data: string): void {
    if (this.#overflow) return;
    this.#bytes += data.length;
    if (this.#bytes > MAX_CACHED_LOG_BYTES) {
      this.#overflow = true;
      this.#chunks = [];
      return;
    }
    this.#chunks.push({ stream, data });
  }

  /** The collected output, or null when it outgrew the bound. */
  chunks(): LogChunk[] | null {
    return this.#overflow ? null : this.#chunks;
  }
}

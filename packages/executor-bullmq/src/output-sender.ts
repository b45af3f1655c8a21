import type { Redis } from "ioredis";
import { KEEP_FINISHED_SECONDS, OUTPUT_STREAM_MAX_ENTRIES, type AttemptEnd } from "./stage-job.js";

// Output goes home in batches: at most this long after its first byte, or once this much is waiting.
const BATCH_MS = 20;
const BATCH_BYTES = 64 * 1024;

/**
 * Sends one execution's output through its stream in batches, in order: a run of chunks of one
 * stream becomes one entry (`t=out`, `s=o|e`, `d=` base64 bytes). `start` and `end` entries frame
 * it; every entry names the execution (`x`), so a reader can tell executions of a job apart.
 */
export class OutputSender {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #execution: string;
  #pending: { stream: "o" | "e"; chunks: Buffer[] }[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #sending: Promise<void> = Promise.resolve();
  #error: unknown = null;

  constructor(options: { redis: Redis; key: string; execution: string }) {
    this.#redis = options.redis;
    this.#key = options.key;
    this.#execution = options.execution;
  }

  start(fields: { worker: string; host: string; pid: number | null }): void {
    this.#send(["t", "start", "w", fields.worker, "h", fields.host, "p", String(fields.pid ?? "")]);
  }

  push(stream: "o" | "e", chunk: Buffer): void {
    const last = this.#pending.at(-1);
    if (last?.stream === stream) last.chunks.push(chunk);
    else this.#pending.push({ stream, chunks: [chunk] });
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= BATCH_BYTES) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const run of batch)
      this.#send(["t", "out", "s", run.stream, "d", Buffer.concat(run.chunks).toString("base64")]);
  }

  /** Sends what is left and the end entry; resolves once Redis has them all. */
  async end(result: AttemptEnd): Promise<void> {
    this.flush();
    this.#send(["t", "end", "r", JSON.stringify(result)]);
    const key = this.#key;
    this.#sending = this.#sending.then(async () => {
      await this.#redis.expire(key, KEEP_FINISHED_SECONDS);
    });
    await this.#sending;
    if (this.#error !== null) throw this.#error;
  }

  #send(fields: string[]): void {
    const key = this.#key;
    const execution = this.#execution;
    this.#sending = this.#sending.then(async () => {
      try {
        await this.#redis.xadd(key, "MAXLEN", "~", OUTPUT_STREAM_MAX_ENTRIES, "*", "x", execution, ...fields);
      } catch (error) {
        this.#error ??= error;
      }
    });
  }
}

import { StringDecoder } from "node:string_decoder";
import type { Redactor, StreamRedactor } from "@codex/orchestrator-core";

/**
 * One output stream of a stage on a worker, on its way home: with secrets in the worker's own
 * environment (which the coordinator cannot know), decoded and redacted here, so those values never
 * reach Redis or the run's logs; otherwise passed on as the raw bytes. The coordinator decodes and
 * redacts again with its own secrets. Decoding here changes nothing it will see: a character split
 * between reads waits for its end, and invalid bytes become U+FFFD, as its own decoder makes them.
 */
export class WorkerOutputStream {
  readonly #redactor: StreamRedactor | null;
  readonly #decoder = new StringDecoder("utf8");

  constructor(redactor: Redactor) {
    this.#redactor = redactor.active ? redactor.stream() : null;
  }

  /** The bytes to send for a chunk read from the stage (possibly empty). */
  push(chunk: Buffer): Buffer {
    if (this.#redactor === null) return chunk;
    return Buffer.from(this.#redactor.push(this.#decoder.write(chunk)), "utf8");
  }

  /** Whatever was held back (an unfinished character, a possible secret's start). */
  end(): Buffer {
    if (this.#redactor === null) return Buffer.alloc(0);
    return Buffer.from(this.#redactor.push(this.#decoder.end()) + this.#redactor.flush(), "utf8");
  }
}

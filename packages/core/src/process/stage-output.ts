import { StringDecoder } from "node:string_decoder";
import type { StreamRedactor } from "./redaction.js";

/** Options for {@link StageOutput}. */
export interface StageOutputOptions {
  /** Receives decoded, redacted text (never empty). */
  emit: (text: string) => void;
  redactor: StreamRedactor;
}

/**
 * One output stream of a command stage, decoded and redacted chunk by chunk on its way to the logs,
 * the tails and any `stage:output` listeners. A character split between two reads waits for its
 * end, and invalid bytes become U+FFFD, as Node's decoder makes them.
 */
export class StageOutput {
  readonly #emit: (text: string) => void;
  readonly #redactor: StreamRedactor;
  readonly #decoder = new StringDecoder("utf8");

  constructor(options: StageOutputOptions) {
    this.#emit = options.emit;
    this.#redactor = options.redactor;
  }

  /** Takes the next chunk read from the stream. */
  push(chunk: Buffer): void {
    this.#send(this.#redactor.push(this.#decoder.write(chunk)));
  }

  /** Ends the stream: whatever was held back (an unfinished character, a possible secret's start). */
  end(): void {
    this.#send(this.#redactor.push(this.#decoder.end()) + this.#redactor.flush());
  }

  #send(text: string): void {
    if (text !== "") this.#emit(text);
  }
}

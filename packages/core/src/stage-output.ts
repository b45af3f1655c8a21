import { StringDecoder } from "node:string_decoder";
import type { StreamRedactor } from "./redaction.js";

/** Where {@link StageOutput} sends one stream's output, one event per call. */
export interface StageOutputSink {
  /** Writes whole UTF-8 characters straight from their bytes; false when it cannot (nothing written). */
  bytes(bytes: Buffer): boolean;
  /** Writes decoded, redacted text (never empty). */
  text(text: string): void;
}

/** Options for {@link StageOutput}. */
export interface StageOutputOptions {
  sink: StageOutputSink;
  redactor: StreamRedactor;
  /** Whether chunks may go to the sink as bytes: only when there is nothing to redact. */
  asBytes: boolean;
}

/**
 * One output stream of a command stage, chunk by chunk. Chunks go to the sink as bytes while it
 * takes them (valid UTF-8, nothing to redact), whole characters only: one split between two reads
 * waits for its end. From the first chunk it refuses, the rest of the stream is decoded (invalid
 * bytes become U+FFFD, as Node's decoder makes them) and redacted. Either way the events hold the
 * same text.
 */
export class StageOutput {
  readonly #sink: StageOutputSink;
  readonly #redactor: StreamRedactor;
  #asBytes: boolean;
  #unfinished: Buffer | null = null;
  #decoder: StringDecoder | null = null;

  constructor(options: StageOutputOptions) {
    this.#sink = options.sink;
    this.#redactor = options.redactor;
    this.#asBytes = options.asBytes;
  }

  /** Takes the next chunk read from the stream. */
  push(chunk: Buffer): void {
    if (this.#asBytes) {
      const bytes = this.#unfinished === null ? chunk : Buffer.concat([this.#unfinished, chunk]);
      const whole = wholeCharactersLength(bytes);
      if (whole === 0 || this.#sink.bytes(whole === bytes.length ? bytes : bytes.subarray(0, whole))) {
        // Copied: the few bytes kept must not hold on to the whole chunk.
        this.#unfinished = whole === bytes.length ? null : Buffer.from(bytes.subarray(whole));
        return;
      }
      this.#asBytes = false;
      this.#unfinished = null;
      this.#decode(bytes);
      return;
    }
    this.#decode(chunk);
  }

  /** Ends the stream: whatever was held back (an unfinished character, a possible secret's start). */
  end(): void {
    if (this.#unfinished !== null) {
      this.#decode(this.#unfinished);
      this.#unfinished = null;
    }
    this.#emit(this.#redactor.push(this.#decoder?.end() ?? "") + this.#redactor.flush());
  }

  #decode(bytes: Buffer): void {
    this.#decoder ??= new StringDecoder("utf8");
    this.#emit(this.#redactor.push(this.#decoder.write(bytes)));
  }

  #emit(text: string): void {
    if (text !== "") this.#sink.text(text);
  }
}

/**
 * How many bytes of `bytes` come before a character that is still unfinished at its end (all of
 * them when none is). Bytes that cannot start or continue a character count as finished: they are
 * invalid however the stream goes on.
 */
export function wholeCharactersLength(bytes: Uint8Array): number {
  const length = bytes.length;
  // The character's lead byte is at most 3 bytes before the end.
  for (let index = length - 1; index >= Math.max(0, length - 4); index -= 1) {
    const byte = bytes[index]!;
    if (byte < 0x80) return length;
    if (byte < 0xc0) continue; // a continuation byte: the lead is further back
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return length - index < needed ? index : length;
  }
  return length;
}

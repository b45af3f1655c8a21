import type { ProgressView } from "./progress-view.js";

/**
 * Plain lines, one write per batch, for output that is not a terminal (a pipe, a file, CI): nothing
 * is redrawn, so a log reads top to bottom.
 */
export class StreamView implements ProgressView {
  readonly #stream: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }

  print(lines: readonly string[]): void {
    if (lines.length > 0) this.#stream.write(`${lines.join("\n")}\n`);
  }

  stageStarted(): void {}
  stageLine(): void {}
  stageFinished(): void {}
  suspend(): void {}
  resume(): void {}
  close(): void {}
}

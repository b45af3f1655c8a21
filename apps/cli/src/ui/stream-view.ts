import type { ProgressView } from "./progress-view.js";

/** Output queued for a reader that does not keep up, beyond which stage output is left out. */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * Plain lines, one write per batch, for output that is not a terminal (a pipe, a file, CI): nothing
 * is redrawn, so a log reads top to bottom. A pipe whose reader falls behind queues what is written
 * in memory, and a run cannot wait for it: past {@link MAX_QUEUED_BYTES} queued, stage output lines
 * are counted instead of written (the stage logs keep them all), and the count is said once the
 * reader catches up.
 */
export class StreamView implements ProgressView {
  readonly #stream: NodeJS.WritableStream & { writableLength?: number };
  #leftOut = 0;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }

  print(lines: readonly string[]): void {
    if (lines.length > 0) this.#stream.write(`${lines.join("\n")}\n`);
  }

  output(lines: readonly string[]): void {
    if ((this.#stream.writableLength ?? 0) > MAX_QUEUED_BYTES) {
      for (const text of lines) this.#leftOut += countLines(text);
      return;
    }
    this.#sayLeftOut();
    this.print(lines);
  }

  stageStarted(): void {}
  stageLine(): void {}
  stageFinished(): void {}
  suspend(): void {}
  resume(): void {}
  close(): void {
    this.#sayLeftOut();
  }

  #sayLeftOut(): void {
    if (this.#leftOut === 0) return;
    this.print([
      `… ${this.#leftOut} lines of stage output left out: stderr was not read fast enough (codex-orchestrator logs <run-id> has them)`,
    ]);
    this.#leftOut = 0;
  }
}

/** Lines in a text that may hold several. */
function countLines(text: string): number {
  let count = 1;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count += 1;
  return count;
}

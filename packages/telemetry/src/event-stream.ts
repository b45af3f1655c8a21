import path from "node:path";
import { AppendFile, type TextTransform } from "@codex/orchestrator-persistence";

/** A run-level event before the stream stamps it (type first, then payload). */
export type EventPayload = { type: string } & Record<string, unknown>;

/** Options for {@link EventStreamWriter}. */
export interface EventStreamWriterOptions {
  /** `runner.ndjson`. */
  runnerLogPath: string;
  /** `commands/`, which must exist. */
  commandsDir: string;
  /** Rewrites each serialized line before it is written (redaction). */
  transform?: TextTransform;
  /** Clock, for tests. */
  now?: () => Date;
}

/**
 * Writes a run's events as NDJSON: every event to `runner.ndjson`, and each stage's events also to
 * its own `commands/NN-<slug>.ndjson`. Lines are written as they come, one `write` each, nothing
 * held back in memory: a crash loses at most the event being written.
 */
export class EventStreamWriter {
  readonly #runner: AppendFile;
  readonly #stages = new Map<number, AppendFile>();
  readonly #options: EventStreamWriterOptions;

  constructor(options: EventStreamWriterOptions) {
    this.#options = options;
    this.#runner = new AppendFile(options.runnerLogPath);
  }

  /** Opens (or reopens, on resume) the log of stage `index`; returns its absolute path. */
  openStage(index: number, fileStem: string): string {
    const file = path.join(this.#options.commandsDir, `${fileStem}.ndjson`);
    if (!this.#stages.has(index)) this.#stages.set(index, new AppendFile(file));
    return file;
  }

  /** Writes a run-level event (index null) to `runner.ndjson`. */
  run(event: EventPayload): void {
    this.#runner.write(this.#serialize(event, null));
  }

  /** Writes a stage event to the stage's own log and to `runner.ndjson`. */
  stage(index: number, event: EventPayload): void {
    // Encoded once for both files: large outputs are dominated by this copy.
    const line = Buffer.from(this.#serialize(event, index), "utf8");
    this.#stages.get(index)?.write(line);
    this.#runner.write(line);
  }

  /** Writes a stage-scoped event (stage status, approvals) to `runner.ndjson` only. */
  runForStage(index: number, event: EventPayload): void {
    this.#runner.write(this.#serialize(event, index));
  }

  /** Closes a stage's log once the stage is done. */
  closeStage(index: number): void {
    this.#stages.get(index)?.close();
    this.#stages.delete(index);
  }

  /** Closes every file. */
  close(): void {
    for (const file of this.#stages.values()) file.close();
    this.#stages.clear();
    this.#runner.close();
  }

  #serialize(event: EventPayload, index: number | null): string {
    const timestamp = (this.#options.now?.() ?? new Date()).toISOString();
    const line = `${JSON.stringify({ ...event, timestamp, index })}\n`;
    return this.#options.transform === undefined ? line : this.#options.transform(line);
  }
}

import path from "node:path";
import { AppendFile, BatchedAppender, PersistenceError } from "@codex/orchestrator-persistence";
import { LineChain } from "@codex/orchestrator-schema/evidence";

/** A log as the writer leaves it: its digest and line count (from its hash chain). */
export interface LogDigest {
  /** Absolute path. */
  path: string;
  sha256: string;
  lines: number;
}

/** A run-level event before the stream stamps it (type first, then payload). */
export type EventPayload = { type: string } & Record<string, unknown>;

/** One chunk of a command's output: a `command:stdout` or `command:stderr` event. */
export interface OutputChunk {
  stream: "stdout" | "stderr";
  data: string;
  /** The attempt (1-based) when the stage retries. */
  attempt?: number;
  /** Output replayed from the stage cache: the run it was first recorded in. */
  replayedFrom?: string;
}

/** Options for {@link EventStreamWriter.openStage}. */
export interface OpenStageOptions {
  /**
   * Receives a failure to write this stage's output lines, which are written after
   * {@link EventStreamWriter.output} returned. Without it, the next call on the writer throws it.
   */
  onWriteError?: (error: PersistenceError) => void;
}

/** Options for {@link EventStreamWriter}. */
export interface EventStreamWriterOptions {
  /** `runner.ndjson`. */
  runnerLogPath: string;
  /** `commands/`, which must exist. */
  commandsDir: string;
  /**
   * When given, every line carries its log's hash chain `prev`, the chain starting from this run
   * id. A run's recorder always gives it, unless CODEX_ORCHESTRATOR_EVIDENCE=off (the benchmark's
   * baseline, an escape hatch: docs/evidence.md).
   */
  chainFrom?: { runId: string } | undefined;
  /** Clock, for tests. */
  now?: () => Date;
}

/**
 * Writes a run's events as NDJSON: every event to `runner.ndjson`, and each stage's events also to
 * its own `commands/NN-<slug>.ndjson`.
 *
 * Output chunks ({@link EventStreamWriter.output}) are collected and written in batches: at
 * 128 KiB, after at most 50 ms, and always before any other event, each batch one `write` of whole
 * lines per file. Every other event is written at once, with one `write` per file. Both files
 * therefore hold the same events in the same order. Each line of each file ends with its hash
 * chain's `prev` (schema package, evidence/hash-chain.ts); a reopened log (resume) continues its
 * chain from the file as it is. A crash loses at most the output lines not yet
 * written: those of the last 50 ms, less than 128 KiB (see docs/performance.md).
 */
export class EventStreamWriter {
  readonly #runner: AppendFile;
  readonly #stages = new Map<number, AppendFile>();
  readonly #stageFiles = new Map<number, readonly AppendFile[]>();
  readonly #errorHandlers = new Map<number, (error: PersistenceError) => void>();
  readonly #options: EventStreamWriterOptions;
  readonly #batches: BatchedAppender;
  // Every log opened, by path: a log reopened in this process continues the same chain.
  readonly #chains = new Map<string, LineChain>();
  #unreported: PersistenceError | null = null;
  #closed = false;

  constructor(options: EventStreamWriterOptions) {
    this.#options = options;
    this.#runner = this.#open(options.runnerLogPath);
    this.#batches = new BatchedAppender({
      onError: (error, index) => {
        const handler = this.#errorHandlers.get(index);
        if (handler !== undefined) handler(error);
        else this.#unreported ??= error;
      },
    });
  }

  /** Opens (or reopens, on resume) the log of stage `index`; returns its absolute path. */
  openStage(index: number, fileStem: string, options: OpenStageOptions = {}): string {
    const file = path.join(this.#options.commandsDir, `${fileStem}.ndjson`);
    if (!this.#stages.has(index)) {
      const log = this.#open(file);
      this.#stages.set(index, log);
      this.#stageFiles.set(index, [log, this.#runner]);
    }
    if (options.onWriteError !== undefined) this.#errorHandlers.set(index, options.onWriteError);
    return file;
  }

  /** Writes a run-level event (index null) to `runner.ndjson`; returns the timestamp it got. */
  run(event: EventPayload): string {
    this.flush();
    const [line, timestamp] = this.#serialize(event, null);
    this.#runner.writeLine(line);
    return timestamp;
  }

  /** Writes a stage event to the stage's own log and to `runner.ndjson`; returns its timestamp. */
  stage(index: number, event: EventPayload): string {
    this.flush();
    const [text, timestamp] = this.#serialize(event, index);
    // Encoded once for both files.
    const line = Buffer.from(text, "utf8");
    this.#stages.get(index)?.writeLine(line);
    this.#runner.writeLine(line);
    return timestamp;
  }

  /**
   * Collects a `command:stdout`/`command:stderr` event of stage `index` for both files (written
   * within 50 ms). Throws a write failure that has no `onWriteError` to go to.
   */
  output(index: number, chunk: OutputChunk): void {
    this.#checkWritable();
    const head = outputHead(chunk.stream);
    const data = JSON.stringify(chunk.data);
    const tail = this.#outputTail(index, chunk.attempt, chunk.replayedFrom);
    // Written in its parts: joining them would copy the whole chunk once more. The data was
    // redacted before it got here (secrets are replaced in values, never in JSON text).
    this.#batches.append([head, data, tail], this.#stageFiles.get(index) ?? [this.#runner], index);
    this.#throwUnreported();
  }

  /** Writes a stage-scoped event (stage status, approvals) to `runner.ndjson` only; returns its timestamp. */
  runForStage(index: number, event: EventPayload): string {
    this.flush();
    const [line, timestamp] = this.#serialize(event, index);
    this.#runner.writeLine(line);
    return timestamp;
  }

  /**
   * Writes every collected output line now and returns once they are written. A failure goes to
   * the stage's `onWriteError`, or is thrown.
   */
  flush(): void {
    this.#batches.flush();
    this.#throwUnreported();
  }

  /** Closes a stage's log once the stage is done (after writing what was collected for it). */
  closeStage(index: number): void {
    // The batch may hold this stage's lines (and its failure goes to this stage's handler).
    this.#batches.flush();
    this.#errorHandlers.delete(index);
    this.#stageFiles.delete(index);
    this.#stages.get(index)?.close();
    this.#stages.delete(index);
    this.#throwUnreported();
  }

  /** Writes what was collected and closes every file. */
  close(): void {
    this.#closed = true;
    this.#batches.flush();
    for (const file of this.#stages.values()) file.close();
    this.#stages.clear();
    this.#stageFiles.clear();
    this.#errorHandlers.clear();
    this.#runner.close();
    this.#throwUnreported();
  }

  /** Every log this writer wrote, with its digest and line count as written (null when unchained). */
  logDigests(): LogDigest[] {
    return [...this.#chains].map(([file, chain]) => ({
      path: file,
      sha256: chain.digest(),
      lines: chain.lines,
    }));
  }

  #open(file: string): AppendFile {
    const chainFrom = this.#options.chainFrom;
    if (chainFrom === undefined) return new AppendFile(file);
    let chain = this.#chains.get(file);
    if (chain === undefined) {
      try {
        chain = LineChain.continueFile(file, chainFrom.runId);
      } catch (error) {
        throw new PersistenceError("read the hash chain of", file, error);
      }
      this.#chains.set(file, chain);
    }
    return new AppendFile(file, { chain });
  }

  // Output lines are built by hand: the same text as JSON.stringify of the event, without building
  // an object. The head ends where the data's JSON string starts; the tail follows it.
  #outputTail(index: number, attempt: number | undefined, replayedFrom: string | undefined): string {
    const timestamp = (this.#options.now?.() ?? new Date()).toISOString();
    return `${replayedFields(replayedFrom)}${attemptField(attempt)}${TIMESTAMP_FIELD}${timestamp}${indexEnd(index)}`;
  }

  #checkWritable(): void {
    this.#throwUnreported();
    if (this.#closed)
      throw new PersistenceError("append to", this.#runner.path, new Error("file already closed"));
  }

  #throwUnreported(): void {
    const error = this.#unreported;
    if (error === null) return;
    this.#unreported = null;
    throw error;
  }

  #serialize(event: EventPayload, index: number | null): [line: string, timestamp: string] {
    const timestamp = (this.#options.now?.() ?? new Date()).toISOString();
    const line = `${JSON.stringify({ ...event, timestamp, index })}\n`;
    return [line, timestamp];
  }
}

// An output line: head, data (a JSON string), attempt field, timestamp field, timestamp, index end.
function outputHead(stream: OutputChunk["stream"]): string {
  return `{"type":"command:${stream}","data":`;
}

function attemptField(attempt: number | undefined): string {
  return attempt === undefined ? "" : `,"attempt":${JSON.stringify(attempt)}`;
}

function replayedFields(sourceRunId: string | undefined): string {
  return sourceRunId === undefined ? "" : `,"replayed":true,"source_run_id":${JSON.stringify(sourceRunId)}`;
}

const TIMESTAMP_FIELD = ',"timestamp":"';

function indexEnd(index: number): string {
  return `","index":${JSON.stringify(index)}}\n`;
}

import path from "node:path";
import { PersistenceError, RunLogs, type RunLogDigest } from "@codex/orchestrator-persistence";
import { jsonString } from "./json-string.js";

/** A log as the writer leaves it: its digest and line count (from its hash chain). */
export type LogDigest = RunLogDigest;

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
  readonly #logs: RunLogs;
  readonly #runner: number;
  readonly #runnerPath: string;
  // Each open stage's log id, and the logs its lines go to (its own, then runner.ndjson).
  readonly #stages = new Map<number, number>();
  readonly #stageLogs = new Map<number, readonly number[]>();
  readonly #errorHandlers = new Map<number, (error: PersistenceError) => void>();
  readonly #options: EventStreamWriterOptions;
  #unreported: PersistenceError | null = null;
  #closed = false;

  constructor(options: EventStreamWriterOptions) {
    this.#options = options;
    this.#logs = new RunLogs({
      chainFrom: options.chainFrom,
      onError: (error, index) => {
        const handler = this.#errorHandlers.get(index);
        if (handler !== undefined) handler(error);
        else this.#unreported ??= error;
      },
    });
    this.#runnerPath = options.runnerLogPath;
    this.#runner = this.#logs.open(options.runnerLogPath);
  }

  /** Opens (or reopens, on resume) the log of stage `index`; returns its absolute path. */
  openStage(index: number, fileStem: string, options: OpenStageOptions = {}): string {
    const file = path.join(this.#options.commandsDir, `${fileStem}.ndjson`);
    if (!this.#stages.has(index)) {
      const log = this.#logs.open(file);
      this.#stages.set(index, log);
      this.#stageLogs.set(index, [log, this.#runner]);
    }
    if (options.onWriteError !== undefined) this.#errorHandlers.set(index, options.onWriteError);
    return file;
  }

  /** Writes a run-level event (index null) to `runner.ndjson`; returns the timestamp it got. */
  run(event: EventPayload): string {
    this.flush();
    const [line, timestamp] = this.#serialize(event, null);
    this.#logs.writeLine([this.#runner], Buffer.from(line, "utf8"));
    return timestamp;
  }

  /** Writes a stage event to the stage's own log and to `runner.ndjson`; returns its timestamp. */
  stage(index: number, event: EventPayload): string {
    this.flush();
    const [text, timestamp] = this.#serialize(event, index);
    // Encoded once for both files.
    this.#logs.writeLine(this.#stageLogs.get(index) ?? [this.#runner], Buffer.from(text, "utf8"));
    return timestamp;
  }

  /**
   * Collects a `command:stdout`/`command:stderr` event of stage `index` for both files (written
   * within 50 ms). Throws a write failure that has no `onWriteError` to go to.
   */
  output(index: number, chunk: OutputChunk): void {
    this.#checkWritable();
    const head = outputHead(chunk.stream);
    const data = jsonString(chunk.data);
    const tail = this.#outputTail(index, chunk.attempt, chunk.replayedFrom);
    // Written in its parts: joining them would copy the whole chunk once more. The data was
    // redacted before it got here (secrets are replaced in values, never in JSON text).
    this.#logs.append([head, data, tail], this.#stageLogs.get(index) ?? [this.#runner], index);
    this.#throwUnreported();
  }

  /** Writes a stage-scoped event (stage status, approvals) to `runner.ndjson` only; returns its timestamp. */
  runForStage(index: number, event: EventPayload): string {
    this.flush();
    const [line, timestamp] = this.#serialize(event, index);
    this.#logs.writeLine([this.#runner], Buffer.from(line, "utf8"));
    return timestamp;
  }

  /**
   * Writes every collected output line now and returns once they are written. A failure goes to
   * the stage's `onWriteError`, or is thrown.
   */
  flush(): void {
    this.#logs.flush();
    this.#throwUnreported();
  }

  /** Closes a stage's log once the stage is done (after writing what was collected for it). */
  closeStage(index: number): void {
    // The batch may hold this stage's lines (and its failure goes to this stage's handler).
    this.#logs.flush();
    this.#errorHandlers.delete(index);
    this.#stageLogs.delete(index);
    const log = this.#stages.get(index);
    if (log !== undefined) this.#logs.close(log);
    this.#stages.delete(index);
    this.#throwUnreported();
  }

  /** Writes what was collected and closes every file. */
  close(): void {
    this.#closed = true;
    try {
      this.#logs.closeAll();
    } finally {
      this.#stages.clear();
      this.#stageLogs.clear();
      this.#errorHandlers.clear();
    }
    this.#throwUnreported();
  }

  /** Every log this writer wrote, with its digest and line count as written (none when unchained). */
  logDigests(): LogDigest[] {
    return this.#logs.digests();
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
      throw new PersistenceError("append to", this.#runnerPath, new Error("file already closed"));
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

import { LineChain } from "@codex/orchestrator-schema/evidence";
import { PersistenceError } from "../errors.js";
import { BatchedAppender } from "../files/batched-append.js";
import { AppendFile } from "../files/append-file.js";
import { LogThreadClient } from "./log-thread-client.js";
import type { ThreadMessage } from "./log-thread-protocol.js";
import { ThreadBatches } from "./thread-batches.js";

/** A log as its writer leaves it: its digest and line count (from its hash chain). */
export interface RunLogDigest {
  /** Absolute path. */
  path: string;
  sha256: string;
  lines: number;
}

/** Options for {@link RunLogs}. */
export interface RunLogsOptions {
  /** When given, every line carries its log's hash chain `prev`, each chain starting from this run id. */
  chainFrom?: { runId: string } | undefined;
  /** Receives a failed write of collected lines, with the owner they were appended for. */
  onError: (error: PersistenceError, owner: number) => void;
  /**
   * Collected output after which sealing and writing move to a thread of their own (default
   * {@link THREAD_AFTER_BYTES}); `Infinity` keeps them in this thread.
   */
  threadAfterBytes?: number;
}

/**
 * Past this much output a run's logs are sealed and written on a thread of their own: hashing and
 * writing two copies of every byte then run beside the reading, decoding and escaping of the next
 * chunk (on two cores, a 200 MB stage in ~40% less time). Runs with less output never start one.
 */
export const THREAD_AFTER_BYTES = 8 * 1024 * 1024;

/**
 * The log files of one run (runner.ndjson and each stage's own log): opened, appended to line by
 * line or in batches, sealed into their hash chains and closed, by one owner. Lines written with
 * {@link writeLine} are on disk when it returns; collected lines ({@link append}) within 50 ms or at
 * the next {@link flush}. Both keep the order of the calls in every file.
 *
 * Writing happens in this thread until the run has produced {@link THREAD_AFTER_BYTES} of output;
 * then a writer thread (when the build ships one) takes the files over, continuing each chain from
 * the file as written, and every later call goes to it in order. The files, their bytes and the
 * errors callers see are the same either way.
 */
export class RunLogs {
  readonly #options: RunLogsOptions;
  readonly #threadAfterBytes: number;
  readonly #files = new Map<number, AppendFile>();
  // Every chain this thread kept, by path: a log reopened here continues it.
  readonly #chains = new Map<string, LineChain>();
  readonly #batches: BatchedAppender;
  #nextId = 1;
  #collectedBytes = 0;
  #thread: LogThreadClient | null = null;
  // The thread owns the files once this is set: their ids there are the ids here.
  #threadOwns = false;
  #threadBatches: ThreadBatches | null = null;
  #threadFailed = false;
  readonly #threadPaths = new Map<number, string>();
  #finalDigests: RunLogDigest[] | null = null;

  constructor(options: RunLogsOptions) {
    this.#options = options;
    this.#threadAfterBytes = options.threadAfterBytes ?? THREAD_AFTER_BYTES;
    this.#batches = new BatchedAppender({ onError: options.onError });
  }

  /** Whether a writer thread owns the logs now. */
  get threaded(): boolean {
    return this.#threadOwns;
  }

  /** Opens (creates, or continues on resume) a log; returns its id. Throws PersistenceError. */
  open(file: string): number {
    const id = this.#nextId;
    this.#nextId += 1;
    if (this.#threadOwns) {
      this.flush();
      this.#threadCall({ op: "open", id, path: file, chainRunId: this.#chainRunId, reply: true });
      this.#threadPaths.set(id, file);
      return id;
    }
    this.#files.set(id, new AppendFile(file, { chain: this.#chainOf(file) }));
    return id;
  }

  /** Writes one JSON-object line to each log, in order, now (after what was collected). Throws. */
  writeLine(ids: readonly number[], line: Buffer): void {
    this.flush();
    if (this.#threadOwns) {
      this.#threadCall({ op: "line", ids, line, reply: true });
      return;
    }
    for (const id of ids) this.#file(id).writeLine(line);
  }

  /**
   * Collects one whole line, given in parts, for the logs `ids`; `owner` comes back with a failure
   * to write it ({@link RunLogsOptions.onError}). Never throws.
   */
  append(parts: readonly string[], ids: readonly number[], owner: number): void {
    for (const part of parts) this.#collectedBytes += part.length;
    if (this.#threadOwns) {
      this.#threadBatches?.append(parts, ids, owner);
      this.#reportThreadFailures();
      return;
    }
    this.#batches.append(
      parts,
      ids.map((id) => this.#file(id)),
      owner,
    );
    if (this.#collectedBytes >= this.#threadAfterBytes) this.#moveToThreadWhenReady();
  }

  /** Writes everything collected; failures go to onError before it returns. */
  flush(): void {
    if (!this.#threadOwns) {
      this.#batches.flush();
      return;
    }
    this.#threadBatches?.flush();
    // Answered once everything sent before it was written; then its failures are known.
    this.#reportThreadFailures(true);
  }

  /** Closes one log (after writing what was collected). */
  close(id: number): void {
    this.flush();
    if (this.#threadOwns) {
      this.#threadPaths.delete(id);
      this.#threadCall({ op: "close", id, reply: true });
      return;
    }
    this.#files.get(id)?.close();
    this.#files.delete(id);
  }

  /** Writes what was collected and closes every log (and the writer thread). */
  closeAll(): void {
    try {
      this.flush();
    } finally {
      if (this.#threadOwns && this.#thread !== null) {
        this.#finalDigests = this.digests();
        for (const id of this.#threadPaths.keys()) this.#threadCall({ op: "close", id, reply: true });
        this.#threadPaths.clear();
        this.#thread.stop();
        this.#thread = null;
      } else {
        this.#thread?.stop();
        this.#thread = null;
      }
      for (const file of this.#files.values()) file.close();
      this.#files.clear();
    }
  }

  /** Every log written, with its digest and line count so far (none when unchained). */
  digests(): RunLogDigest[] {
    const byPath = new Map<string, RunLogDigest>();
    for (const [file, chain] of this.#chains)
      byPath.set(file, { path: file, sha256: chain.digest(), lines: chain.lines });
    const fromThread =
      this.#finalDigests ?? (this.#threadOwns && this.#thread !== null ? this.#thread.digests() : []);
    for (const digest of fromThread) byPath.set(digest.path, digest);
    return [...byPath.values()];
  }

  // Starts the thread, and once it has loaded (never waiting for it) hands it every open log.
  #moveToThreadWhenReady(): void {
    if (this.#threadFailed) return;
    if (this.#thread === null) {
      this.#thread = LogThreadClient.start();
      if (this.#thread === null) this.#threadFailed = true;
      return;
    }
    if (this.#thread.broken) {
      this.#giveUpThread();
      return;
    }
    if (!this.#thread.ready) return;
    // Everything collected here is written first: the thread continues each chain from the file.
    this.#batches.flush();
    try {
      for (const [id, file] of this.#files)
        this.#thread.call({ op: "open", id, path: file.path, chainRunId: this.#chainRunId, reply: true });
    } catch {
      this.#giveUpThread();
      return;
    }
    for (const [id, file] of this.#files) {
      this.#threadPaths.set(id, file.path);
      // Its chain continues in the thread; a digest asked for later comes from there.
      this.#chains.delete(file.path);
      file.close();
    }
    this.#files.clear();
    this.#threadBatches = new ThreadBatches(this.#thread);
    this.#threadOwns = true;
  }

  #giveUpThread(): void {
    this.#thread?.stop();
    this.#thread = null;
    this.#threadFailed = true;
  }

  #threadCall(request: ThreadMessage): void {
    (this.#thread as LogThreadClient).call(request);
  }

  // Failed batches go to onError with their owner; `now` asks even when none is flagged (a barrier).
  #reportThreadFailures(now = false): void {
    const thread = this.#thread;
    if (thread === null || (!now && !thread.failed)) return;
    for (const failure of thread.failures()) {
      const error =
        failure.error instanceof PersistenceError
          ? failure.error
          : new PersistenceError("append to", "the run's logs", failure.error);
      this.#options.onError(error, failure.owner);
    }
  }

  get #chainRunId(): string | null {
    return this.#options.chainFrom?.runId ?? null;
  }

  #chainOf(file: string): LineChain | null {
    const runId = this.#chainRunId;
    if (runId === null) return null;
    let chain = this.#chains.get(file);
    if (chain === undefined) {
      try {
        chain = LineChain.continueFile(file, runId);
      } catch (error) {
        throw new PersistenceError("read the hash chain of", file, error);
      }
      this.#chains.set(file, chain);
    }
    return chain;
  }

  #file(id: number): AppendFile {
    const file = this.#files.get(id);
    if (file === undefined) throw new PersistenceError("append to", `log ${id}`, new Error("not open"));
    return file;
  }
}

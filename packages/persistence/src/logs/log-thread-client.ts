import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { PersistenceError } from "../errors.js";
import {
  DONE,
  FAILED,
  READY,
  rebuildError,
  STATE_SLOTS,
  type ThreadMessage,
  type ThreadReply,
} from "./log-thread-protocol.js";
import type { RunLogDigest } from "./run-logs.js";

// Built next to this module (tsup entry `log-writer-thread`); absent when running from sources.
const THREAD_FILE = new URL("./log-writer-thread.js", import.meta.url);
// Batches sent and not yet written, at most: beyond it the run waits (memory stays bounded).
const MAX_BATCHES_IN_FLIGHT = 8;
// A thread that answers nothing for this long has stopped (a write to a hung disk would block the
// in-process path just as long; this only ends a wait on a thread that is gone).
const STALL_LIMIT_MS = 120_000;

/**
 * The run side of a log writer thread: sends it requests and, where the caller needs the answer
 * (a line written "at once", a flush), waits for it synchronously, as the in-process writes do.
 */
export class LogThreadClient {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #spent: MessagePort;
  readonly #state: Int32Array;
  #seq = 0;
  #broken = false;
  #batchSeqs: number[] = [];

  private constructor(worker: Worker, port: MessagePort, spent: MessagePort, state: Int32Array) {
    this.#worker = worker;
    this.#port = port;
    this.#spent = spent;
    this.#state = state;
  }

  /** A started thread, or null where none can start (no built thread file, no worker threads). */
  static start(): LogThreadClient | null {
    let file: string;
    try {
      file = fileURLToPath(THREAD_FILE);
      if (!fs.existsSync(file)) return null;
    } catch {
      return null;
    }
    const state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const spent = new MessageChannel();
    let worker: Worker;
    try {
      worker = new Worker(file, {
        // The thread needs no flags; the parent's could point it elsewhere (a `--conditions` that
        // resolves packages to their sources, under a test runner).
        execArgv: [],
        workerData: { port: port2, spent: spent.port2, state },
        transferList: [port2, spent.port2],
      });
    } catch {
      port1.close();
      spent.port1.close();
      return null;
    }
    // The run's own end (close) ends the thread; it must never hold the process open by itself.
    worker.unref();
    port1.unref();
    spent.port1.unref();
    const client = new LogThreadClient(worker, port1, spent.port1, state);
    // A thread that cannot load never becomes ready, and the run keeps writing in-process.
    worker.on("error", () => {
      client.#broken = true;
    });
    return client;
  }

  /** Whether the thread has loaded and can take requests (never blocks). */
  get ready(): boolean {
    return !this.#broken && Atomics.load(this.#state, READY) === 1;
  }

  /** Whether the thread failed to load or died (it then never becomes ready). */
  get broken(): boolean {
    return this.#broken;
  }

  /** Sends a request that needs no answer (a batch; an open whose failure can wait). */
  send(request: ThreadMessage, transfer: ArrayBuffer[] = []): void {
    const seq = this.#post(request, transfer);
    if (request.op !== "batch") return;
    this.#batchSeqs.push(seq);
    if (this.#batchSeqs.length > MAX_BATCHES_IN_FLIGHT) {
      const oldest = this.#batchSeqs.length - MAX_BATCHES_IN_FLIGHT;
      this.#waitFor(this.#batchSeqs[oldest - 1] as number);
      this.#batchSeqs = this.#batchSeqs.slice(oldest);
    }
  }

  /** Sends a request and waits for its answer; throws the error the thread met. */
  call(request: ThreadMessage): ThreadReply {
    const seq = this.#post(request, []);
    this.#waitFor(seq);
    this.#batchSeqs = [];
    const received = receiveMessageOnPort(this.#port);
    const reply = received?.message as ThreadReply | undefined;
    if (reply === undefined || reply.seq !== seq)
      throw new PersistenceError(
        "write",
        "the run's logs",
        new Error("the log writer thread lost an answer"),
      );
    if (reply.error !== null) throw rebuildError(reply.error);
    return reply;
  }

  /** A batch buffer the thread is done with, to fill again; null when none came back yet. */
  reusableBuffer(): ArrayBuffer | null {
    const returned = receiveMessageOnPort(this.#spent);
    return returned === undefined ? null : (returned.message as ArrayBuffer);
  }

  /** Whether a batch failed since the failures were last collected. */
  get failed(): boolean {
    return Atomics.load(this.#state, FAILED) !== 0;
  }

  /** The logs' digests as written so far. */
  digests(): RunLogDigest[] {
    return this.call({ op: "digests", reply: true }).digests ?? [];
  }

  /** Failed batches since the last call, with the owner each was for. */
  failures(): { owner: number; error: PersistenceError | Error }[] {
    const reply = this.call({ op: "errors", reply: true });
    return (reply.failures ?? []).map((failure) => ({
      owner: failure.owner,
      error: rebuildError(failure.error),
    }));
  }

  /** Ends the thread (after everything sent was handled). */
  stop(): void {
    this.#waitFor(this.#seq);
    this.#port.close();
    this.#spent.close();
    void this.#worker.terminate();
  }

  #post(request: ThreadMessage, transfer: ArrayBuffer[]): number {
    this.#seq += 1;
    this.#port.postMessage({ ...request, seq: this.#seq }, transfer);
    return this.#seq;
  }

  #waitFor(seq: number): void {
    let waited = 0;
    for (;;) {
      const done = Atomics.load(this.#state, DONE);
      if (done >= seq) return;
      if (Atomics.wait(this.#state, DONE, done, 1000) === "timed-out") {
        waited += 1000;
        if (waited >= STALL_LIMIT_MS && Atomics.load(this.#state, DONE) === done)
          throw new PersistenceError(
            "write",
            "the run's logs",
            new Error("the log writer thread stopped answering"),
          );
      }
    }
  }
}

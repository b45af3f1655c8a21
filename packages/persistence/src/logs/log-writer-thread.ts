// The writer thread of a run's logs with heavy output (see run-logs.ts): it owns the log files and
// their hash chains, seals and writes what the run sends, and answers on the port it was given.
import { type MessagePort, workerData } from "node:worker_threads";
import { LineChain } from "@codex/orchestrator-schema/evidence";
import { PersistenceError } from "../errors.js";
import { AppendFile } from "../files/append-file.js";
import {
  DONE,
  FAILED,
  READY,
  transportError,
  type ThreadReply,
  type ThreadRequest,
  type TransportedError,
} from "./log-thread-protocol.js";
import { sealLines } from "./sealed-lines.js";

interface ThreadData {
  port: MessagePort;
  // Batch buffers go back this way once written, to be filled again (fresh memory costs page faults).
  spent: MessagePort;
  state: Int32Array;
}

const { port, spent, state } = workerData as ThreadData;
const files = new Map<number, AppendFile>();
// Chains of every log opened here, by path, as EventStreamWriter keeps them: digests at the end.
const chains = new Map<string, LineChain>();
const failures: { owner: number; error: TransportedError }[] = [];

port.on("message", (request: ThreadRequest) => {
  const reply: ThreadReply = { seq: request.seq, error: null };
  try {
    handle(request, reply);
  } catch (error) {
    reply.error = transportError(error, "append to", "");
  }
  if (request.reply) port.postMessage(reply);
  else if (reply.error !== null) {
    failures.push({ owner: request.op === "batch" ? request.owner : -1, error: reply.error });
    Atomics.store(state, FAILED, 1);
  }
  Atomics.store(state, DONE, request.seq);
  Atomics.notify(state, DONE);
});
Atomics.store(state, READY, 1);

function handle(request: ThreadRequest, reply: ThreadReply): void {
  switch (request.op) {
    case "open": {
      const chain = request.chainRunId === null ? null : continueChain(request.path, request.chainRunId);
      files.set(request.id, new AppendFile(request.path, { chain }));
      return;
    }
    case "line":
      for (const id of request.ids) fileOf(id).writeLine(Buffer.from(request.line));
      return;
    case "batch":
      try {
        for (const id of request.ids) writeBatch(fileOf(id), request.bytes);
      } finally {
        spent.postMessage(request.bytes.buffer, [request.bytes.buffer as ArrayBuffer]);
      }
      return;
    case "close":
      files.get(request.id)?.close();
      files.delete(request.id);
      return;
    case "digests":
      reply.digests = [...chains].map(([file, chain]) => ({
        path: file,
        sha256: chain.digest(),
        lines: chain.lines,
      }));
      return;
    case "errors":
      reply.failures = failures.splice(0);
      Atomics.store(state, FAILED, 0);
      return;
  }
}

function continueChain(file: string, runId: string): LineChain {
  let chain = chains.get(file);
  if (chain === undefined) {
    try {
      chain = LineChain.continueFile(file, runId);
    } catch (error) {
      throw new PersistenceError("read the hash chain of", file, error);
    }
    chains.set(file, chain);
  }
  return chain;
}

function fileOf(id: number): AppendFile {
  const file = files.get(id);
  if (file === undefined) throw new Error(`log ${id} is not open`);
  return file;
}

function writeBatch(file: AppendFile, bytes: Uint8Array): void {
  if (file.chain === null) {
    file.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return;
  }
  const sealed = sealLines(bytes, file.chain);
  if (sealed === null)
    throw new PersistenceError(
      "append to",
      file.path,
      new Error("a chained line must be a JSON object ending in }"),
    );
  file.writeParts(sealed);
}

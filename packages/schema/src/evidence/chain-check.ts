import { createHash } from "node:crypto";
import fs from "node:fs";
import { chainStart } from "./hash-chain.js";

/** What checking one log's hash chain found. */
export interface ChainCheck {
  /** Lines in the file (a last line without its newline counts). */
  lines: number;
  /** Lines that carry `prev`. */
  chainedLines: number;
  /** sha256 (hex) of the whole file, for its subject in the attestation. */
  sha256: string;
  /** The first line (1-based) that breaks the chain, and why; null when it holds. */
  broken: { line: number; reason: string } | null;
}

const PREV_AT_END = /,"prev":"([0-9a-f]{64})"\}\r?$/;
// Enough of a line's end to read its `prev`.
const TAIL_BYTES = 96;

/**
 * Follows a log's hash chain (hash-chain.ts) in one streaming pass. Lines before the first chained
 * line are a log written before chaining (a run resumed by this version); the first chained line's
 * `prev` covers them. After that every line must carry the `prev` its place calls for.
 */
export function checkLogChain(file: string, runId: string): ChainCheck {
  const start = chainStart(runId);
  const running = createHash("sha256");
  let bytes = 0;
  let lines = 0;
  let chainedLines = 0;
  let broken: ChainCheck["broken"] = null;
  let expected = start;
  let tail: Buffer = Buffer.alloc(0);
  let lineOpen = false;

  const endLine = (): void => {
    lines += 1;
    lineOpen = false;
    const match = PREV_AT_END.exec(tail.toString("latin1"));
    tail = Buffer.alloc(0);
    if (broken !== null) return;
    if (match === null) {
      if (chainedLines > 0) broken = { line: lines, reason: "carries no prev (edited, or cut short)" };
      return;
    }
    chainedLines += 1;
    if (match[1] !== expected)
      broken = {
        line: lines,
        reason:
          lines === 1
            ? "has a prev that is not the chain's start (the run id)"
            : `has a prev that does not match the lines before it (line ${lines - 1} changed, or lines removed or reordered)`,
      };
  };
  const feed = (chunk: Buffer): void => {
    let from = 0;
    while (from < chunk.length) {
      if (!lineOpen) {
        // The prefix digest at this line's start is what its prev must be.
        if (broken === null) expected = bytes === 0 ? start : running.copy().digest("hex");
        lineOpen = true;
      }
      const newline = chunk.indexOf(10, from);
      const end = newline === -1 ? chunk.length : newline;
      const piece = chunk.subarray(from, end);
      tail =
        piece.length >= TAIL_BYTES
          ? Buffer.from(piece.subarray(piece.length - TAIL_BYTES))
          : keepTail(tail, piece);
      const through = newline === -1 ? chunk.length : newline + 1;
      running.update(chunk.subarray(from, through));
      bytes += through - from;
      from = through;
      if (newline !== -1) endLine();
    }
  };

  const descriptor = fs.openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const read = fs.readSync(descriptor, buffer, 0, buffer.length, null);
      if (read === 0) break;
      feed(buffer.subarray(0, read));
    }
  } finally {
    fs.closeSync(descriptor);
  }
  if (lineOpen) {
    endLine();
    if (broken === null && chainedLines > 0)
      broken = { line: lines, reason: "has no newline (the file was cut short)" };
  }
  return { lines, chainedLines, sha256: running.digest("hex"), broken };
}

function keepTail(tail: Buffer, piece: Buffer): Buffer {
  const joined = Buffer.concat([tail, piece]);
  return joined.length > TAIL_BYTES ? joined.subarray(joined.length - TAIL_BYTES) : joined;
}

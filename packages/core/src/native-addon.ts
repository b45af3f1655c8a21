import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The engine's compiled helpers (`native/`, built by `native/build.mjs` where it can be). */
export interface NativeAddon {
  /** Whether this kernel lets the launcher watch exits through pidfds. */
  usable(): boolean;
  /** Starts `file` with posix_spawn; see native-spawn.ts. */
  spawn(
    file: string,
    argv: string[],
    envp: string[],
    cwd: string,
    onExit: (exitCode: number, signalNumber: number) => void,
  ): [pid: number, stdoutFd: number, stderrFd: number];
  /**
   * What the output pump writes into a log line for `source` (as a stream's last bytes): exactly
   * `JSON.stringify(source.toString("utf8"))` without its quotes.
   */
  escapeJson(source: Uint8Array): Buffer;
  /**
   * Reads both pipes on a thread of its own (and owns them from then on), calling `onChunk` with
   * each chunk of output (stream 0 is stdout, 1 stderr; at most 64 KiB), and with null and an
   * errno (0 for a clean end) at the end of each. Returns `stop`, which ends the reading and may be
   * called until both streams have ended.
   */
  readPipes(
    stdoutFd: number,
    stderrFd: number,
    onChunk: (stream: 0 | 1, chunk: Buffer | null, errno: number) => void,
  ): () => void;
  /**
   * Reads both pipes on a thread of its own (and owns them from then on, even when it throws) and
   * appends their output to `options.files` as output event lines, in batches, until both streams
   * end or `stop` is called. Calls `onEvent(0, fileIndex, errno)` once when a write fails (nothing
   * more is written then), and at the end `onEvent(1, stdoutTail, stderrTail, combinedTail)`: the
   * last bytes of the decoded output, whole UTF-8 characters. `stop` may be called until then.
   */
  pumpOutput(
    stdoutFd: number,
    stderrFd: number,
    options: OutputPumpOptions,
    onEvent: OutputPumpEvent,
  ): () => void;
}

/** Where and how {@link NativeAddon.pumpOutput} writes output lines. */
export interface OutputPumpOptions {
  /** Descriptors opened for appending; each batch goes to each, in this order. */
  files: number[];
  /**
   * Replaced by `redacted` wherever they occur in the output, as a regular expression of them
   * would replace them: the leftmost first, the longest there. Longest first, none empty.
   */
  secrets: Buffer[];
  redacted: Buffer;
  /**
   * A line of stdout is `stdoutHead`, the escaped output, `middle`, the time (ISO 8601, UTC, in
   * milliseconds), then `end` (which ends in a newline); stderr's starts with `stderrHead`.
   */
  stdoutHead: Buffer;
  stderrHead: Buffer;
  middle: Buffer;
  end: Buffer;
  /** A batch is written once it holds this many bytes, or this long after its first line. */
  batchBytes: number;
  maxDelayMs: number;
  /** How many bytes of decoded output each tail keeps. */
  stdoutTailBytes: number;
  stderrTailBytes: number;
  combinedTailBytes: number;
}

/** What {@link NativeAddon.pumpOutput} reports: a failed write, then (always) its end. */
export type OutputPumpEvent = (
  ...event:
    | [kind: 0, fileIndex: number, errno: number]
    | [kind: 1, stdoutTail: Buffer, stderrTail: Buffer, combinedTail: Buffer]
) => void;

// Where the addon sits: next to the bundled CLI's chunks (dist/native/), or in the core package
// (from src/ or dist/: ../native/build/).
const CANDIDATES = ["./native/codex-native.node", "../native/build/codex-native.node"];

let addon: NativeAddon | null | undefined;

/** The compiled helpers, or null where they are not built (the engine then does without). */
export function loadNativeAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.platform !== "linux") return addon;
  const require = createRequire(import.meta.url);
  for (const candidate of CANDIDATES) {
    try {
      addon = require(fileURLToPath(new URL(candidate, import.meta.url))) as NativeAddon;
      break;
    } catch {
      // Not built here (or built for another platform): try the next place.
    }
  }
  return addon;
}

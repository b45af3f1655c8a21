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
   * Writes the UTF-8 bytes of `source`, escaped as the inside of a JSON string (what
   * JSON.stringify gives for the decoded text), into `target` from `offset`. Returns the bytes
   * written; -1 when `source` is not valid UTF-8, -2 when `target` has less than
   * `source.length * 6 + 8` bytes of room.
   */
  escapeJson(source: Uint8Array, target: Uint8Array, offset: number): number;
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
}

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

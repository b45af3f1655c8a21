import type { LineChain } from "@codex/orchestrator-schema/evidence";

/**
 * Whole NDJSON lines (each a JSON object ending in `}\n`) as a chained log must hold them: each
 * with its `prev` before the closing brace, the chain advanced past them. Returned as pieces to
 * write in order (each line's body, then its end), so the lines are not copied. Null when a line is
 * not a JSON object ending in `}`. JSON text never holds a raw newline inside a value, so a newline
 * always ends a line.
 */
export function sealLines(lines: Uint8Array, chain: LineChain): Uint8Array[] | null {
  const source = Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength);
  const pieces: Uint8Array[] = [];
  let from = 0;
  while (from < source.length) {
    const end = source.indexOf(10, from);
    if (end === -1 || end - from < 1 || source[end - 1] !== 0x7d) return null;
    const body = source.subarray(from, end - 1);
    pieces.push(body, Buffer.from(chain.seal(body), "latin1"));
    from = end + 1;
  }
  return pieces;
}

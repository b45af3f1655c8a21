import fs from "node:fs";
import { readManifest, readRunOwner, type RunPaths } from "@codex/orchestrator-persistence";
import {
  RunStateEvent,
  safeParseManifest,
  TERMINAL_RUN_STATUSES,
  type Manifest,
} from "@codex/orchestrator-schema";
import { rebuildManifest } from "./run-state.js";

const STATE_EVENT_TYPES = new Set<string>(RunStateEvent.options.map((option) => option.shape.type.value));
// Output lines are most of a log; they are recognised by their start and never parsed.
const OUTPUT_LINE_PREFIX = '{"type":"command:std';
const READ_CHUNK_BYTES = 1 << 20;

/**
 * The state events of a run's log, in order. Output lines are skipped unparsed, and a line that is
 * not whole JSON (the last one, cut by a crash) is left out.
 */
export function readStateEvents(runnerLog: string): RunStateEvent[] {
  const events: RunStateEvent[] = [];
  forEachLine(runnerLog, (line) => {
    if (line.startsWith(OUTPUT_LINE_PREFIX)) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return;
    }
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type === "string" && STATE_EVENT_TYPES.has(type)) events.push(value as RunStateEvent);
  });
  return events;
}

/**
 * A run's state as its files prove it. The manifest is a snapshot written now and then (always
 * whole); the log is written first. When the run has no live owner and its manifest is not final
 * (a crash), the manifest rebuilt from runner.ndjson is used if it knows more. A manifest that
 * cannot be read is an error, never silently replaced.
 */
export function loadRunState(paths: RunPaths): Manifest {
  const manifest = readManifest(paths.manifest);
  if (TERMINAL_RUN_STATUSES.includes(manifest.status)) return manifest;
  if (readRunOwner(paths.ownerLock)?.alive === true) return manifest;
  const rebuilt = rebuildFromLog(paths.runnerLog);
  return rebuilt !== null &&
    rebuilt.run_id === manifest.run_id &&
    (rebuilt.event_seq ?? 0) > (manifest.event_seq ?? 0)
    ? rebuilt
    : manifest;
}

function rebuildFromLog(runnerLog: string): Manifest | null {
  let events: RunStateEvent[];
  try {
    events = readStateEvents(runnerLog);
  } catch {
    return null;
  }
  const rebuilt = rebuildManifest(events);
  if (rebuilt === null) return null;
  const checked = safeParseManifest(rebuilt, { source: runnerLog });
  return checked.ok ? checked.value : null;
}

// Reads a file line by line in 1 MiB chunks, so a log of any size is never held whole.
function forEachLine(file: string, visit: (line: string) => void): void {
  // O_NOFOLLOW: a link planted at the log is never read through.
  const descriptor = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const buffer = Buffer.alloc(READ_CHUNK_BYTES);
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const read = fs.readSync(descriptor, buffer, 0, buffer.length, null);
      if (read === 0) break;
      let chunk =
        carry.length === 0 ? buffer.subarray(0, read) : Buffer.concat([carry, buffer.subarray(0, read)]);
      let start = 0;
      for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
        if (chunk[start] === 123 /* { */ && !isOutputLine(chunk, start))
          visit(chunk.toString("utf8", start, end));
        start = end + 1;
      }
      chunk = chunk.subarray(start);
      carry = Buffer.from(chunk);
    }
    if (carry.length > 0 && !isOutputLine(carry, 0)) visit(carry.toString("utf8"));
  } finally {
    fs.closeSync(descriptor);
  }
}

const OUTPUT_PREFIX_BYTES = Buffer.from(OUTPUT_LINE_PREFIX, "utf8");

// A line shorter than the prefix (a short line, or the last one cut by a crash) is not an output
// line; Buffer#compare would throw for a range that runs past the end of the buffer.
function isOutputLine(chunk: Buffer, start: number): boolean {
  const end = start + OUTPUT_PREFIX_BYTES.length;
  return (
    end <= chunk.length && chunk.compare(OUTPUT_PREFIX_BYTES, 0, OUTPUT_PREFIX_BYTES.length, start, end) === 0
  );
}

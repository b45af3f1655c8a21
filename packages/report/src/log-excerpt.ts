import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** One line of a stage's output as the report shows it. */
export interface LogLine {
  /** `meta` lines are the log's own notes: an attempt starting or ending. */
  stream: "stdout" | "stderr" | "meta";
  text: string;
}

/** What of a stage's log the report embeds: all of it, or its first and last part. */
export interface LogExcerpt {
  /** The log file's size in bytes. */
  size: number;
  head: LogLine[];
  /** Empty unless the log was cut; then the lines of its last part. */
  tail: LogLine[];
  /** Bytes of the log file between the head and the tail that the report leaves out. */
  omittedBytes: number;
}

/** How much of one log file is read: the head and the tail, each at most this many bytes. */
export const LOG_PART_BYTES = 96 * 1024;

/**
 * Reads the first and last {@link LOG_PART_BYTES} of a stage's `commands/*.ndjson` log (the whole
 * file when it is smaller), so a 200 MB log costs two bounded reads. Returns null without a file
 * (or when it is a symbolic link).
 */
export function readLogExcerpt(file: string, partBytes = LOG_PART_BYTES): LogExcerpt | null {
  let descriptor: number;
  try {
    // A link planted in a run folder is not followed: the report embeds the run's own logs only.
    descriptor = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const size = fstatSync(descriptor).size;
    if (size <= partBytes * 2) {
      return { size, head: parseLogText(readAt(descriptor, 0, size)), tail: [], omittedBytes: 0 };
    }
    const headText = readAt(descriptor, 0, partBytes);
    const tailText = readAt(descriptor, size - partBytes, partBytes);
    // The cuts fall inside lines: keep whole NDJSON lines only.
    const head = headText.slice(0, headText.lastIndexOf("\n") + 1);
    const tail = tailText.slice(tailText.indexOf("\n") + 1);
    return {
      size,
      head: parseLogText(head),
      tail: parseLogText(tail),
      omittedBytes: size - Buffer.byteLength(head) - Buffer.byteLength(tail),
    };
  } finally {
    closeSync(descriptor);
  }
}

function readAt(descriptor: number, position: number, length: number): string {
  const buffer = Buffer.alloc(length);
  const read = readSync(descriptor, buffer, 0, length, position);
  return buffer.subarray(0, read).toString("utf8");
}

/** Turns NDJSON log lines into output lines: chunks joined per stream, attempts marked. */
export function parseLogText(text: string): LogLine[] {
  const lines: LogLine[] = [];
  const partial: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
  const flush = (stream: "stdout" | "stderr") => {
    if (partial[stream] !== "") lines.push({ stream, text: partial[stream] });
    partial[stream] = "";
  };
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue;
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      continue;
    }
    const type = event["type"];
    if ((type === "command:stdout" || type === "command:stderr") && typeof event["data"] === "string") {
      const stream = type === "command:stdout" ? "stdout" : "stderr";
      const pieces = (partial[stream] + event["data"]).split("\n");
      partial[stream] = pieces.pop() ?? "";
      for (const piece of pieces) lines.push({ stream, text: piece });
    } else if (type === "command:start") {
      flush("stdout");
      flush("stderr");
      lines.push({ stream: "meta", text: `attempt ${String(event["attempt"] ?? 1)} started` });
    } else if (type === "command:end") {
      flush("stdout");
      flush("stderr");
      const how =
        event["signal"] !== null && event["signal"] !== undefined
          ? `signal ${String(event["signal"])}`
          : `exit ${String(event["exit_code"])}`;
      lines.push({ stream: "meta", text: `attempt ${String(event["attempt"] ?? 1)} ended: ${how}` });
    }
  }
  flush("stdout");
  flush("stderr");
  return lines;
}

import { readdirSync } from "node:fs";
import path from "node:path";
import { NdjsonLineReader } from "./ndjson-line-reader.js";

/** One line of a run's logs, with the fields the merge and the text rendering use. */
export interface LogLine {
  /** The line exactly as written. */
  raw: string;
  event: { type?: unknown; timestamp?: unknown; index?: unknown; [key: string]: unknown };
}

interface Source {
  reader: NdjsonLineReader;
  head: LogLine | null;
  /** runner.ndjson: its command:* lines are copies of the stage logs' own and are skipped. */
  runner: boolean;
}

const STAGE_LOG = /^\d+-.*\.ndjson$/;

/**
 * The lines of a run's logs (runner.ndjson and commands/NN-<slug>.ndjson) merged into one stream in
 * timestamp order, a line at a time from each file. `drain` yields every line written so far and can
 * be called again for what was written since; stage logs that appear later are picked up.
 */
export class RunLogMerge {
  readonly #runDir: string;
  readonly #sources = new Map<string, Source>();
  readonly #includeStage: (index: number) => boolean;
  #unreadable = 0;

  constructor(options: { runDir: string; includeStage?: (index: number) => boolean }) {
    this.#runDir = options.runDir;
    this.#includeStage = options.includeStage ?? (() => true);
  }

  /** Lines that were not JSON (skipped). */
  get unreadable(): number {
    return this.#unreadable;
  }

  /** Every whole line available now, oldest first across files. */
  *drain(): Generator<LogLine> {
    this.#discover();
    for (;;) {
      let oldest: Source | null = null;
      for (const source of this.#sources.values()) {
        source.head ??= this.#pull(source);
        if (source.head !== null && (oldest === null || timestampOf(source.head) < timestampOf(oldest.head!)))
          oldest = source;
      }
      if (oldest === null || oldest.head === null) return;
      const line = oldest.head;
      oldest.head = null;
      yield line;
    }
  }

  close(): void {
    for (const source of this.#sources.values()) source.reader.close();
  }

  #pull(source: Source): LogLine | null {
    for (;;) {
      const raw = source.reader.next();
      if (raw === null) return null;
      if (raw.trim() === "") continue;
      try {
        const event = JSON.parse(raw) as LogLine["event"];
        if (event === null || typeof event !== "object") {
          this.#unreadable += 1;
          continue;
        }
        if (source.runner && typeof event.type === "string" && event.type.startsWith("command:")) continue;
        return { raw, event };
      } catch {
        // A line that is not JSON cannot be placed or shown; it is counted and skipped.
        this.#unreadable += 1;
      }
    }
  }

  #discover(): void {
    const runner = path.join(this.#runDir, "runner.ndjson");
    if (!this.#sources.has(runner))
      this.#sources.set(runner, { reader: new NdjsonLineReader(runner), head: null, runner: true });
    const commandsDir = path.join(this.#runDir, "commands");
    let names: string[];
    try {
      names = readdirSync(commandsDir);
    } catch {
      return; // no stage has written yet
    }
    for (const name of names.sort()) {
      const file = path.join(commandsDir, name);
      if (!STAGE_LOG.test(name) || this.#sources.has(file)) continue;
      if (!this.#includeStage(Number.parseInt(name, 10))) continue;
      this.#sources.set(file, { reader: new NdjsonLineReader(file), head: null, runner: false });
    }
  }
}

function timestampOf(line: LogLine): string {
  return typeof line.event.timestamp === "string" ? line.event.timestamp : "";
}

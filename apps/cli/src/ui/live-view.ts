import type { Painter } from "../terminal.js";
import { formatDuration } from "../terminal.js";
import type { ProgressView, RunningStage } from "./progress-view.js";
import { fitSegments, plainLine } from "./terminal-text.js";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** About 10 redraws a second: elapsed times tick in tenths, and a terminal is not flooded. */
export const LIVE_VIEW_INTERVAL_MS = 100;

interface Shown extends RunningStage {
  startedAt: number;
  line: string;
}

/** What the live view needs from its terminal. */
export interface LiveViewOptions {
  stream: NodeJS.WritableStream;
  painter: Painter;
  /** The current width (read at every redraw, so a resized terminal is followed); 0 stops the redraw. */
  columns: () => number;
  /** The current height: the view never draws more lines than fit. */
  rows: () => number;
  now?: () => number;
}

/**
 * The running stages redrawn in place below the lines that stay: each with its elapsed time and
 * its last output line, cut to the terminal's width so that no line wraps (a wrapped line would
 * break the cursor arithmetic). Redrawn about 10 times a second, and at once when a line is printed.
 */
export class LiveView implements ProgressView {
  readonly #options: LiveViewOptions;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #running = new Map<string, Shown>();
  #pending: string[] = [];
  #drawnLines = 0;
  #frame = 0;
  #finished = 0;
  #failed = 0;
  #timer: NodeJS.Timeout | null = null;
  #suspended = false;
  #closed = false;

  constructor(options: LiveViewOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  print(lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.#pending.push(...lines);
    // Lines are batched with the next frame; a flood of output is written a frame at a time.
    if (this.#timer === null) this.#render();
  }

  output(lines: readonly string[]): void {
    this.print(lines);
  }

  stageStarted(key: string, stage: RunningStage): void {
    this.#running.set(key, { ...stage, startedAt: this.#now(), line: "" });
    this.#startTimer();
  }

  stageLine(key: string, line: string): void {
    const shown = this.#running.get(key);
    const plain = plainLine(line).trim();
    if (shown !== undefined && plain !== "") shown.line = plain;
  }

  stageFinished(key: string, failed: boolean): void {
    if (!this.#running.delete(key)) return;
    this.#finished += 1;
    if (failed) this.#failed += 1;
    if (this.#running.size === 0) this.#render();
  }

  /** Clears the block; until `resume`, lines are held so that none lands inside the prompt. */
  suspend(): void {
    this.#stopTimer();
    this.#render();
    this.#suspended = true;
  }

  resume(): void {
    this.#suspended = false;
    this.#render();
    if (this.#running.size > 0) this.#startTimer();
  }

  close(): void {
    this.#stopTimer();
    this.#suspended = false;
    this.#closed = true;
    this.#render();
  }

  #startTimer(): void {
    if (this.#timer !== null || this.#suspended || this.#closed) return;
    this.#timer = setInterval(() => this.#render(), LIVE_VIEW_INTERVAL_MS);
    this.#timer.unref();
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One write: back to the top of the drawn block, clear it, the new lines that stay, the block again. */
  #render(): void {
    if (this.#suspended) return;
    let output = this.#drawnLines > 0 ? `\r\u001b[${this.#drawnLines}A\u001b[J` : "";
    if (this.#pending.length > 0) output += `${this.#pending.join("\n")}\n`;
    this.#pending = [];
    const block = this.#closed || this.#timer === null ? [] : this.#block();
    if (block.length > 0) output += `${block.join("\n")}\n`;
    this.#drawnLines = block.length;
    if (this.#running.size === 0) this.#stopTimer();
    if (output !== "") this.#options.stream.write(output);
  }

  #block(): string[] {
    const columns = this.#options.columns();
    if (columns <= 0 || this.#running.size === 0) return [];
    // The last column stays empty: writing into it leaves some terminals waiting to wrap.
    const width = columns - 1;
    const { painter } = this.#options;
    const now = this.#now();
    this.#frame = (this.#frame + 1) % SPINNER.length;
    const room = Math.max(1, this.#options.rows() - 2);
    const stages = [...this.#running.values()];
    const shown = stages.length > room ? stages.slice(0, room - 1) : stages;
    const lines = shown.map((stage) =>
      fitSegments(
        [
          { text: `${"  ".repeat(stage.depth)}${SPINNER[this.#frame] ?? "·"} `, paint: painter.cyan },
          { text: stage.label },
          { text: ` ${formatDuration(now - stage.startedAt)}`, paint: painter.yellow },
          { text: stage.line === "" ? "" : `  ${stage.line}`, paint: painter.dim },
        ],
        width,
      ),
    );
    if (shown.length < stages.length)
      lines.push(fitSegments([{ text: `  … ${stages.length - shown.length} more running` }], width));
    const counts = [
      `${stages.length} running`,
      `${this.#finished} done`,
      ...(this.#failed > 0 ? [`${this.#failed} failed`] : []),
      formatDuration(now - this.#startedAt),
    ].join(" · ");
    lines.push(fitSegments([{ text: counts, paint: painter.dim }], width));
    return lines;
  }
}

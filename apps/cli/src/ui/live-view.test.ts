import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createPainter } from "../terminal.js";
import { LIVE_VIEW_INTERVAL_MS, LiveView } from "./live-view.js";

/** A terminal's screen after the view's writes: newlines, carriage returns, cursor-up, clear-to-end. */
class Screen {
  lines: string[] = [""];
  #row = 0;

  write(output: string): void {
    // eslint-disable-next-line no-control-regex -- the cursor movements the view writes
    for (const part of output.split(/(\r|\n|\u001b\[\d+A|\u001b\[J)/)) {
      if (part === "" || part === "\r") continue;
      if (part === "\n") {
        this.#row += 1;
        this.lines[this.#row] ??= "";
      } else if (part.endsWith("A") && part.startsWith("\u001b[")) {
        this.#row -= Number(part.slice(2, -1));
      } else if (part === "\u001b[J") {
        this.lines.length = this.#row + 1;
        this.lines[this.#row] = "";
      } else {
        this.lines[this.#row] = part;
      }
    }
  }

  /** The lines shown (without the empty line the cursor waits on). */
  get shown(): string[] {
    return this.lines.at(-1) === "" ? this.lines.slice(0, -1) : this.lines;
  }
}

function liveView(columns: number, rows = 24) {
  const stream = new PassThrough();
  const screen = new Screen();
  stream.on("data", (chunk: Buffer) => screen.write(chunk.toString()));
  const view = new LiveView({
    stream,
    painter: createPainter({ isTTY: false }, {}),
    columns: () => columns,
    rows: () => rows,
  });
  return { view, screen };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("LiveView", () => {
  it("redraws each running stage in place, with its elapsed time and last line, below the lines that stay", () => {
    const { view, screen } = liveView(80);
    view.print(["Running ci"]);
    view.stageStarted("r#1", { depth: 0, label: "[1] build" });
    view.stageStarted("c#1", { depth: 1, label: "[1] render" });
    view.stageLine("r#1", "\u001b[1mcompiling\u001b[0m a.ts");
    vi.advanceTimersByTime(2_500);
    expect(screen.shown).toEqual([
      "Running ci",
      expect.stringMatching(/^. \[1\] build 2\.5s {2}compiling a\.ts$/),
      expect.stringMatching(/^ {2}. \[1\] render 2\.5s$/),
      "2 running · 0 done · 2.5s",
    ]);

    view.stageFinished("c#1", false);
    view.print(["  ✔ [1] render 2.5s"]);
    view.stageLine("r#1", "compiling b.ts");
    vi.advanceTimersByTime(LIVE_VIEW_INTERVAL_MS * 10);
    expect(screen.shown).toEqual([
      "Running ci",
      "  ✔ [1] render 2.5s",
      expect.stringMatching(/^. \[1\] build 3\.5s {2}compiling b\.ts$/),
      "1 running · 1 done · 3.5s",
    ]);

    view.stageFinished("r#1", true);
    view.print(["✖ [1] build exit 1 3.5s"]);
    view.close();
    expect(screen.shown).toEqual(["Running ci", "  ✔ [1] render 2.5s", "✖ [1] build exit 1 3.5s"]);
  });

  it("keeps every line within the terminal's width and the block within its height", () => {
    const { view, screen } = liveView(20, 5);
    for (let index = 1; index <= 6; index += 1)
      view.stageStarted(`r#${index}`, { depth: 0, label: `[${index}] a-very-long-stage-name` });
    view.stageLine("r#1", "x".repeat(200));
    view.print(["line"]);
    vi.advanceTimersByTime(LIVE_VIEW_INTERVAL_MS);
    const [first, ...block] = screen.shown;
    expect(first).toBe("line");
    // 5 rows: the block and the line the cursor waits on fit, so 2 stages, the "more", the counts.
    expect(block).toHaveLength(4);
    expect(block[2]).toBe("  … 4 more running");
    for (const line of block) expect([...line].length).toBeLessThanOrEqual(19);
    expect(block[3]).toBe("6 running · 0 done…");
  });

  it("stops drawing while suspended (a prompt) and when the width is 0", () => {
    let columns = 80;
    const stream = new PassThrough();
    const screen = new Screen();
    stream.on("data", (chunk: Buffer) => screen.write(chunk.toString()));
    const view = new LiveView({
      stream,
      painter: createPainter({ isTTY: false }, {}),
      columns: () => columns,
      rows: () => 24,
    });
    view.stageStarted("r#1", { depth: 0, label: "[1] gate" });
    vi.advanceTimersByTime(LIVE_VIEW_INTERVAL_MS);
    expect(screen.shown).toHaveLength(2);
    view.suspend();
    expect(screen.shown).toEqual([]);
    // A line printed while a prompt is up waits for it to end.
    view.print(["✔ [2] other 1.0s"]);
    vi.advanceTimersByTime(LIVE_VIEW_INTERVAL_MS * 5);
    expect(screen.shown).toEqual([]);
    view.resume();
    expect(screen.shown).toEqual(["✔ [2] other 1.0s"]);
    columns = 0;
    view.print(["still printed"]);
    vi.advanceTimersByTime(LIVE_VIEW_INTERVAL_MS);
    expect(screen.shown).toEqual(["✔ [2] other 1.0s", "still printed"]);
    view.close();
  });
});

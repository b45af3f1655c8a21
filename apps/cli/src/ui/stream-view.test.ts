import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MAX_QUEUED_BYTES, StreamView } from "./stream-view.js";

/** A pipe whose reader is stuck until `release`: everything written stays queued. */
function stuckPipe() {
  let written = "";
  const pending: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.toString();
      pending.push(callback);
    },
  });
  return {
    stream,
    text: () => written,
    /** Lets the reader take everything queued. */
    catchUp: async () => {
      while (pending.length > 0 || stream.writableLength > 0) {
        pending.shift()?.();
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

describe("StreamView", () => {
  it("leaves stage output out while the reader is far behind, says how much, and never drops other lines", async () => {
    const pipe = stuckPipe();
    const view = new StreamView(pipe.stream);
    const big = "x".repeat(1024 * 1024);
    // 8 lines of 1 MiB and their newlines: just past what may be queued.
    for (let index = 0; index < 8; index += 1) view.output([big]);
    view.output(["left out 1", "left out 2"]);
    view.print(["✖ [1] build exit 1 0.1s"]);
    expect(pipe.stream.writableLength).toBeGreaterThan(MAX_QUEUED_BYTES);
    await pipe.catchUp();
    view.output(["shown again"]);
    view.close();
    await pipe.catchUp();
    const text = pipe.text();
    expect(text).not.toContain("left out 1");
    expect(text).toContain("✖ [1] build exit 1 0.1s\n");
    expect(text).toContain("… 2 lines of stage output left out: stderr was not read fast enough");
    expect(text.endsWith("shown again\n")).toBe(true);
  });
});

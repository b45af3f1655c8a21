import { describe, expect, it } from "vitest";
import { LineSplitter, LineTail, prefixLines } from "./output-lines.js";

describe("LineSplitter", () => {
  it("joins chunks into whole lines and gives the last partial one at the end", () => {
    const splitter = new LineSplitter();
    expect(splitter.push("one\ntw")).toEqual(["one"]);
    expect(splitter.push("o\r\nthree")).toEqual(["two"]);
    expect(splitter.end()).toEqual(["three"]);
    expect(splitter.end()).toEqual([]);
  });
});

describe("LineTail", () => {
  it("keeps the last lines only and counts the ones it dropped", () => {
    const tail = new LineTail(3);
    for (let index = 1; index <= 1000; index += 1) tail.push([`line ${index}`]);
    expect(tail.lines).toEqual(["line 998", "line 999", "line 1000"]);
    expect(tail.dropped).toBe(997);
  });
});

describe("blocks of lines", () => {
  it("gives the whole lines of chunks as one block and prefixes each of its lines", () => {
    const splitter = new LineSplitter();
    expect(splitter.pushBlock("partial")).toBeNull();
    const block = splitter.pushBlock(" one\r\ntwo\nthr");
    expect(block).toBe("partial one\r\ntwo");
    expect(prefixLines(block ?? "", "[$&] ")).toBe("[$&] partial one\n[$&] two");
    expect(splitter.end()).toEqual(["thr"]);
  });
});

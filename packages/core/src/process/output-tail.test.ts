import { describe, expect, it } from "vitest";
import { OutputTail } from "./output-tail.js";

describe("OutputTail", () => {
  it("keeps the last characters, in the order they came", () => {
    const tail = new OutputTail(10);
    tail.push("abc");
    tail.push("déf");
    tail.push("ghi\n");
    expect(tail.text).toBe("abcdéfghi\n");
    expect(tail.truncated).toBe(false);
    tail.push("0123456789ABC");
    expect(tail.truncated).toBe(true);
    expect(tail.text).toBe("3456789ABC");
  });

  it("holds on to a bounded number of chunks however many arrive", () => {
    const tail = new OutputTail(100);
    for (let index = 0; index < 100_000; index += 1) tail.push(`${index % 10}`);
    expect(tail.text).toBe("0123456789".repeat(10));
    for (let index = 0; index < 5000; index += 1) tail.push("x".repeat(1000));
    expect(tail.text).toBe("x".repeat(100));
  });

  it("gives the last non-empty lines", () => {
    const tail = new OutputTail();
    tail.push("one\r\n\n  \ntwo\n");
    tail.push("three\nfour");
    expect(tail.lines(3)).toEqual(["two", "three", "four"]);
    expect(tail.lines(1)).toEqual(["four"]);
    expect(new OutputTail().lines()).toEqual([]);
  });
});

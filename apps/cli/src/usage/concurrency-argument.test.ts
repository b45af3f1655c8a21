import { describe, expect, it } from "vitest";
import { parseConcurrency } from "./concurrency-argument.js";

describe("parseConcurrency", () => {
  it.each([
    ["1", 1],
    ["4", 4],
    ["128", 128],
  ])("reads %j as %i", (text, count) => {
    expect(parseConcurrency(text)).toBe(count);
  });

  it.each([
    "",
    "0",
    "-1",
    "1.5",
    "2.0",
    "1e3",
    "0x10",
    " 2",
    "02",
    "two",
    "undefined",
    "99999999999999999999",
  ])("refuses %j as a usage error", (text) => {
    expect(() => parseConcurrency(text)).toThrow(
      expect.objectContaining({ code: "ERR_USAGE", usage: true }) as Error,
    );
  });

  it("refuses the flag given twice", () => {
    expect(() => parseConcurrency(["2", "3"])).toThrow(/more than once/);
  });
});

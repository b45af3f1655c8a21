import { describe, expect, it } from "vitest";
import { createRunId } from "../layout/ids.js";
import { compareAscii } from "./ordering.js";

describe("compareAscii", () => {
  it("orders run ids by their time, then by their random part", () => {
    const early = createRunId(new Date("2026-01-02T03:04:05.006Z"));
    const late = createRunId(new Date("2026-01-02T03:04:05.007Z"));
    expect([late, early].sort(compareAscii)).toEqual([early, late]);
    expect(compareAscii("2026-01-02T03-04-05-006Z-0000000a", "2026-01-02T03-04-05-006Z-0000000b")).toBe(-1);
    expect(compareAscii(early, early)).toBe(0);
  });

  it("orders by code units whatever the locale: upper case before lower case, digits before both", () => {
    expect(["b", "B", "a", "1"].sort(compareAscii)).toEqual(["1", "B", "a", "b"]);
  });
});

import { describe, expect, it } from "vitest";
import { fitSegments, plainLine, textWidth, truncateText } from "./terminal-text.js";

describe("terminal text", () => {
  it("shows what a terminal would: after the last carriage return, without escapes", () => {
    expect(plainLine("10%\r50%\r\u001b[32m90%\u001b[0m done")).toBe("90% done");
    expect(plainLine("a\tb\u0007\u001b]0;title\u0007c")).toBe("a  bc");
    expect(plainLine("windows line\r")).toBe("windows line");
  });

  it("measures wide characters as two columns and cuts without splitting them", () => {
    expect(textWidth("abc")).toBe(3);
    expect(textWidth("日本")).toBe(4);
    expect(truncateText("日本語のテキスト", 7)).toBe("日本語…");
    expect(textWidth(truncateText("日本語のテキスト", 7))).toBeLessThanOrEqual(7);
    expect(truncateText("short", 10)).toBe("short");
    expect(truncateText("anything", 0)).toBe("");
  });

  it("fits coloured segments to a width, cutting text and never escape codes", () => {
    const red = (text: string) => `<${text}>`;
    expect(fitSegments([{ text: "abc" }, { text: "defgh", paint: red }], 6)).toBe("abc<de…>");
    expect(fitSegments([{ text: "abc" }, { text: "de", paint: red }], 80)).toBe("abc<de>");
  });
});

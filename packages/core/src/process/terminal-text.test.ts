import { describe, expect, it } from "vitest";
import { stripTerminalCodes } from "./terminal-text.js";

describe("stripTerminalCodes", () => {
  it("removes colours, cursor moves, hyperlinks and titles, keeping the text", () => {
    expect(stripTerminalCodes("\u001b[1;32m✔ passed\u001b[0m")).toBe("✔ passed");
    expect(stripTerminalCodes("\u001b[2K\u001b[1Gdone")).toBe("done");
    expect(stripTerminalCodes("\u001b]8;;https://example.test\u0007docs\u001b]8;;\u0007")).toBe("docs");
    expect(stripTerminalCodes("\u001b]0;title\u001b\\after")).toBe("after");
    expect(stripTerminalCodes("\u009b31mred")).toBe("red");
    expect(stripTerminalCodes("\u001b(Bplain\u001b=")).toBe("plain");
  });

  it("keeps a redrawn line in its last form and drops stray controls, not newlines or tabs", () => {
    expect(stripTerminalCodes("10%\r50%\r100%\nnext")).toBe("100%\nnext");
    expect(stripTerminalCodes("a\tb\r\nc\u0007\u0008")).toBe("a\tb\nc");
  });

  it("returns plain text unchanged", () => {
    const text = "no codes here: 100% — ünïcode\n";
    expect(stripTerminalCodes(text)).toBe(text);
  });
});

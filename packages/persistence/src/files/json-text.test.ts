import { describe, expect, it } from "vitest";
import { JsonSyntaxError, lineAndColumn, parseJsonText } from "./json-text.js";

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJsonText(text, "codex.orchestrator.json");
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`parsed: ${text}`);
}

describe("parseJsonText", () => {
  it("returns the parsed value", () => {
    expect(parseJsonText('{"a": [1, true, null]}', "x.json")).toEqual({ a: [1, true, null] });
  });

  it.each([
    ["trailing comma in an object", '{\n  "a": 1,\n}', 3, 1],
    ["trailing comma in an array", '{\n  "a": [1, 2,]\n}', 2, 14],
    ["missing colon", '{\n  "pipelines": [],\n  "defaultPipeline" "x"\n}', 3, 21],
    ["unexpected end", '{\n  "a": [1, 2', 2, 13],
    ["bad token tru", '{\n  "enabled": tru\n}', 2, 14],
    ["bad token tru at the top", "tru", 1, 4],
    ["single quotes", "{'a': 1}", 1, 2],
    ["text after the value", '{"a": 1}\n  x', 2, 3],
  ])("%s: reports the line and column", (_label, text, line, column) => {
    const error = syntaxError(text);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message.startsWith(`codex.orchestrator.json:${line}:${column}: invalid JSON: `)).toBe(true);
    expect(error.code).toBe("ERR_JSON_SYNTAX");
    expect(error.usage).toBe(true);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it("describes the problem without echoing the whole document", () => {
    const error = syntaxError('{"secret": "hunter2", "a": tru}');
    expect(error.message).not.toContain("hunter2");
    expect(syntaxError("[1,").message).toMatch(/invalid JSON: unexpected end of JSON input$/);
  });
});

describe("lineAndColumn", () => {
  it("is 1-based", () => {
    expect(lineAndColumn("ab\ncd", 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn("ab\n", 3)).toEqual({ line: 2, column: 1 });
  });
});

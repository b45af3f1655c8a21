import { OrchestratorError } from "@codex/orchestrator-schema/errors";

/** JSON text that does not parse; `line` and `column` are 1-based. */
export class JsonSyntaxError extends OrchestratorError {
  /** 1-based line of the first error. */
  readonly line: number;
  /** 1-based column of the first error. */
  readonly column: number;

  constructor(source: string, line: number, column: number, detail: string, cause?: unknown) {
    super(`${source}:${line}:${column}: invalid JSON: ${detail}`, {
      code: "ERR_JSON_SYNTAX",
      usage: true,
      cause,
    });
    this.line = line;
    this.column = column;
  }
}

/** Parses JSON text; on failure throws {@link JsonSyntaxError} with the line and column of the problem. */
export function parseJsonText(rawText: string, source: string): unknown {
  // Editors on Windows save UTF-8 with a byte order mark; JSON.parse would reject it as a character.
  const text = rawText.startsWith("\uFEFF") ? rawText.slice(1) : rawText;
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = findErrorOffset(text, message);
    const { line, column } = lineAndColumn(text, offset);
    throw new JsonSyntaxError(source, line, column, simplify(message), error);
  }
}

function simplify(message: string): string {
  const trimmed = message
    .replace(/ in JSON at position \d+.*$/, "")
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, "");
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

function findErrorOffset(text: string, message: string): number {
  const position = /at position (\d+)/.exec(message);
  if (position?.[1] !== undefined) return Number(position[1]);
  if (/Unexpected end/.test(message)) return text.length;
  return scanForError(text);
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index += 1) {
    if (text.charCodeAt(index) === 10) {
      line += 1;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

// Engines do not always say where a token went wrong; this small recursive scanner does.
function scanForError(text: string): number {
  let index = 0;
  const skipSpace = () => {
    while (index < text.length && " \t\n\r".includes(text.charAt(index))) index += 1;
  };
  const fail = (): never => {
    throw index;
  };
  const value = (): void => {
    skipSpace();
    const character = text.charAt(index);
    if (character === "{") {
      index += 1;
      skipSpace();
      if (text.charAt(index) === "}") {
        index += 1;
        return;
      }
      for (;;) {
        skipSpace();
        if (text.charAt(index) !== '"') fail();
        string();
        skipSpace();
        if (text.charAt(index) !== ":") fail();
        index += 1;
        value();
        skipSpace();
        if (text.charAt(index) === ",") index += 1;
        else if (text.charAt(index) === "}") {
          index += 1;
          return;
        } else fail();
      }
    } else if (character === "[") {
      index += 1;
      skipSpace();
      if (text.charAt(index) === "]") {
        index += 1;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (text.charAt(index) === ",") index += 1;
        else if (text.charAt(index) === "]") {
          index += 1;
          return;
        } else fail();
      }
    } else if (character === '"') {
      string();
    } else {
      const match = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
        text.slice(index),
      );
      if (match === null) fail();
      else index += match[0].length;
    }
  };
  const string = () => {
    index += 1;
    while (index < text.length) {
      const character = text.charAt(index);
      if (character === "\\") index += 2;
      else if (character === '"') {
        index += 1;
        return;
      } else if (character.charCodeAt(0) < 32) fail();
      else index += 1;
    }
    fail();
  };
  try {
    value();
    skipSpace();
    return index;
  } catch (offset) {
    return typeof offset === "number" ? offset : 0;
  }
}

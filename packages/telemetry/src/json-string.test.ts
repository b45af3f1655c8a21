import { describe, expect, it } from "vitest";
import { jsonString } from "./json-string.js";

const LINE = "0123456789abcdef0123456789abcdef\n";

describe("jsonString", () => {
  it("is JSON.stringify for long output with the short escapes", () => {
    const text = `${LINE}say "hi"\tto C:\\temp\r\n`.repeat(300);
    expect(text.length).toBeGreaterThan(4096);
    expect(jsonString(text)).toBe(JSON.stringify(text));
  });

  it("is JSON.stringify for every character that needs escaping, in short and long text", () => {
    const special = [
      ...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)),
      '"',
      "\\",
      "\u007f",
    ];
    for (const character of special) {
      for (const text of [`a${character}b`, `${LINE.repeat(200)}${character}${LINE}`]) {
        expect(jsonString(text)).toBe(JSON.stringify(text));
      }
    }
  });

  it("escapes lone surrogates as JSON.stringify does and keeps pairs", () => {
    const long = LINE.repeat(200);
    for (const text of [`${long}\ud800x`, `${long}x\udc00`, `${long}😀é€`, `${long}\ud83d`]) {
      expect(jsonString(text)).toBe(JSON.stringify(text));
    }
  });

  it("agrees with JSON.stringify on random text", () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const alphabet = [
      "a",
      " ",
      "\n",
      "\r",
      "\t",
      '"',
      "\\",
      "\u001b",
      "é",
      "€",
      "😀",
      "\ud800",
      "\udfff",
      "\u0000",
    ];
    for (let round = 0; round < 200; round += 1) {
      const size = 4000 + (next() % 2000);
      let text = "";
      // Mostly plain text, so both paths of jsonString are taken.
      const rare = next() % 3 === 0;
      for (let index = 0; index < size; index += 1) {
        const pick = next() % 100;
        text +=
          pick < 90 || !rare ? (alphabet[pick % 7] as string) : (alphabet[pick % alphabet.length] as string);
      }
      expect(jsonString(text)).toBe(JSON.stringify(text));
    }
  });
});

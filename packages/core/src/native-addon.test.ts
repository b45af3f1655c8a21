import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../test/helpers/seeded-random.js";
import { loadNativeAddon } from "./native-addon.js";

const addon = loadNativeAddon();

function randomBytes(seed: number, length: number, pick: (random: () => number) => number): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length }, () => pick(random)));
}

function escapedByNode(bytes: Buffer): string | null {
  const text = bytes.toString("utf8");
  // Only bytes that round-trip are valid UTF-8.
  if (!Buffer.from(text, "utf8").equals(bytes)) return null;
  return JSON.stringify(text).slice(1, -1);
}

describe.skipIf(addon === null)("the compiled JSON escaper", () => {
  const escape = (bytes: Buffer, room = bytes.length * 6 + 8, offset = 0) => {
    const target = Buffer.alloc(offset + room);
    const written = addon!.escapeJson(bytes, target, offset);
    return written < 0 ? written : target.toString("utf8", offset, offset + written);
  };

  it("escapes exactly as JSON.stringify does for the decoded text", () => {
    for (const text of [
      "",
      "some line of text\n",
      'quote " backslash \\ slash /',
      "\b\f\n\r\t\u0000\u0001\u001f\u007f",
      "é ñ 雪 🎉 \u2028 \u2029 \ufeff",
      "12345678".repeat(10) + "\n",
    ]) {
      expect(escape(Buffer.from(text, "utf8"))).toBe(JSON.stringify(text).slice(1, -1));
    }
  });

  it("agrees with Node on random bytes: the same escaping when valid, a refusal when not", () => {
    for (let seed = 1; seed <= 20_000; seed += 1) {
      const bytes = randomBytes(seed, seed % 40, (random) => {
        const roll = random();
        if (roll < 0.25) return Math.floor(random() * 0x20);
        if (roll < 0.35) return [0x22, 0x5c, 0x7f][Math.floor(random() * 3)]!;
        if (roll < 0.7) return 0x20 + Math.floor(random() * 0x60);
        return 0x80 + Math.floor(random() * 0x80);
      });
      const expected = escapedByNode(bytes);
      expect(escape(bytes), `seed ${seed}: ${bytes.toString("hex")}`).toBe(expected ?? -1);
    }
  });

  it("accepts every code point and refuses surrogates, overlong forms and what is past U+10FFFF", () => {
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint += codePoint < 0x800 ? 1 : 97) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      const text = String.fromCodePoint(codePoint);
      expect(escape(Buffer.from(text, "utf8"))).toBe(JSON.stringify(text).slice(1, -1));
    }
    for (const hex of [
      "eda080",
      "edbfbf",
      "c0af",
      "c1bf",
      "e08080",
      "f08080af",
      "f4908080",
      "f5808080",
      "ff",
      "80",
    ])
      expect(escape(Buffer.from(hex, "hex")), hex).toBe(-1);
  });

  it("refuses a character cut short at the end", () => {
    const snow = Buffer.from("a雪", "utf8");
    expect(escape(snow.subarray(0, snow.length - 1))).toBe(-1);
    expect(escape(snow)).toBe("a雪");
  });

  it("writes from the offset, and only when the target has room for the worst case", () => {
    const bytes = Buffer.from("ab\n");
    expect(escape(bytes, bytes.length * 6 + 8, 5)).toBe("ab\\n");
    expect(escape(bytes, bytes.length * 6 + 7)).toBe(-2);
    expect(() => addon!.escapeJson(bytes, Buffer.alloc(4), 5)).toThrow(TypeError);
    expect(() => addon!.escapeJson("ab" as unknown as Buffer, Buffer.alloc(64), 0)).toThrow(TypeError);
  });
});

import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../test/helpers/seeded-random.js";
import { loadNativeAddon } from "./native-addon.js";

const addon = loadNativeAddon();

function randomBytes(seed: number, length: number, pick: (random: () => number) => number): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length }, () => pick(random)));
}

// What the pump must write: JSON.stringify of the text Node decodes, without the quotes.
function escapedByNode(bytes: Buffer): string {
  return JSON.stringify(bytes.toString("utf8")).slice(1, -1);
}

describe.skipIf(addon === null)("the compiled JSON escaper", () => {
  const escape = (bytes: Buffer) => addon!.escapeJson(bytes).toString("utf8");

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

  it("agrees with Node on random bytes, invalid ones becoming U+FFFD as Node's decoder makes them", () => {
    for (let seed = 1; seed <= 20_000; seed += 1) {
      const bytes = randomBytes(seed, seed % 40, (random) => {
        const roll = random();
        if (roll < 0.25) return Math.floor(random() * 0x20);
        if (roll < 0.35) return [0x22, 0x5c, 0x7f][Math.floor(random() * 3)]!;
        if (roll < 0.7) return 0x20 + Math.floor(random() * 0x60);
        return 0x80 + Math.floor(random() * 0x80);
      });
      expect(escape(bytes), `seed ${seed}: ${bytes.toString("hex")}`).toBe(escapedByNode(bytes));
    }
  });

  it("keeps every code point, and replaces surrogates, overlong forms and what is past U+10FFFF", () => {
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
      "e29c",
      "f09f8e",
      "61e29c62",
    ]) {
      const bytes = Buffer.from(hex, "hex");
      expect(escape(bytes), hex).toBe(escapedByNode(bytes));
      expect(escape(bytes), hex).toContain("\ufffd");
    }
  });

  it("refuses what is not a byte array", () => {
    expect(() => addon!.escapeJson("ab" as unknown as Buffer)).toThrow(TypeError);
  });
});

import { StringDecoder } from "node:string_decoder";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../test/helpers/seeded-random.js";
import { Redactor } from "./redaction.js";
import { StageOutput, wholeCharactersLength } from "./stage-output.js";

interface Written {
  kind: "bytes" | "text";
  text: string;
}

// A sink that takes bytes only while they are valid UTF-8, as the event writer does.
function setUp(options: { asBytes?: boolean; secrets?: string[]; takesBytes?: boolean } = {}) {
  const written: Written[] = [];
  const output = new StageOutput({
    sink: {
      bytes: (bytes) => {
        if (options.takesBytes === false) return false;
        const text = bytes.toString("utf8");
        if (!Buffer.from(text, "utf8").equals(bytes)) return false;
        written.push({ kind: "bytes", text });
        return true;
      },
      text: (text) => written.push({ kind: "text", text }),
    },
    redactor: new Redactor(options.secrets ?? []).stream(),
    asBytes: options.asBytes ?? true,
  });
  return { output, written, all: () => written.map((entry) => entry.text).join("") };
}

function decodedByNode(chunks: Buffer[]): string {
  const decoder = new StringDecoder("utf8");
  return chunks.map((chunk) => decoder.write(chunk)).join("") + decoder.end();
}

describe("wholeCharactersLength", () => {
  it("stops before a character that is still unfinished at the end", () => {
    const snow = Buffer.from("a雪", "utf8"); // 61 e9 9b aa
    expect(wholeCharactersLength(snow)).toBe(4);
    expect(wholeCharactersLength(snow.subarray(0, 3))).toBe(1);
    expect(wholeCharactersLength(snow.subarray(0, 2))).toBe(1);
    const party = Buffer.from("🎉", "utf8");
    for (let cut = 1; cut < 4; cut += 1) expect(wholeCharactersLength(party.subarray(0, cut))).toBe(0);
    expect(wholeCharactersLength(Buffer.alloc(0))).toBe(0);
  });

  it("counts bytes that no continuation can make valid as finished", () => {
    expect(wholeCharactersLength(Buffer.from([0x61, 0x80, 0x80, 0x80, 0x80]))).toBe(5);
    expect(wholeCharactersLength(Buffer.from([0x61, 0x62]))).toBe(2);
  });
});

describe("StageOutput", () => {
  it("passes valid output on as bytes, holding a split character until its end arrives", () => {
    const { output, written } = setUp();
    const text = Buffer.from("snow: 雪\n", "utf8");
    output.push(text.subarray(0, 7));
    output.push(text.subarray(7, 8));
    output.push(text.subarray(8));
    output.end();
    expect(written).toEqual([
      { kind: "bytes", text: "snow: " },
      { kind: "bytes", text: "雪\n" },
    ]);
  });

  it("decodes the rest of the stream from the first chunk the sink refuses, as Node decodes it", () => {
    const chunks = [
      Buffer.from("fine ", "utf8"),
      Buffer.from([0x62, 0x61, 0x64, 0xff, 0x20, 0xe9]),
      Buffer.from([0x9b, 0xaa, 0x20, 0xe9, 0x9b]),
      Buffer.from(" end\n"),
    ];
    const { output, written, all } = setUp();
    for (const chunk of chunks) output.push(chunk);
    output.end();
    expect(all()).toBe(decodedByNode(chunks));
    expect(written[0]).toEqual({ kind: "bytes", text: "fine " });
    expect(written.slice(1).every((entry) => entry.kind === "text")).toBe(true);
  });

  it("decodes a character left unfinished when the stream ends", () => {
    const chunks = [Buffer.from("cut "), Buffer.from([0xe9, 0x9b])];
    const { output, all } = setUp();
    for (const chunk of chunks) output.push(chunk);
    output.end();
    expect(all()).toBe(decodedByNode(chunks));
    expect(all()).toBe("cut \ufffd");
  });

  it("decodes and redacts when there is something to redact, secrets split across chunks included", () => {
    const { output, written, all } = setUp({ asBytes: false, secrets: ["hunter22"] });
    output.push(Buffer.from("password hun"));
    output.push(Buffer.from("ter22 ok\n"));
    output.end();
    expect(all()).toBe("password [REDACTED] ok\n");
    expect(written.every((entry) => entry.kind === "text")).toBe(true);
  });

  it("falls back to text for good when the sink cannot take bytes", () => {
    const { output, written, all } = setUp({ takesBytes: false });
    output.push(Buffer.from("one "));
    output.push(Buffer.from("two\n"));
    output.end();
    expect(all()).toBe("one two\n");
    expect(written.every((entry) => entry.kind === "text")).toBe(true);
  });

  it("gives the same text as Node's decoder for random chunks of mixed bytes", () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 300; trial += 1) {
      const source = Buffer.from('ab"\\\n é 雪 🎉 '.repeat(4), "utf8");
      const bytes = Buffer.from(source);
      if (trial % 3 === 0) bytes[Math.floor(random() * bytes.length)] = 0xff;
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length;) {
        const size = 1 + Math.floor(random() * 9);
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      const { output, all } = setUp();
      for (const chunk of chunks) output.push(chunk);
      output.end();
      expect(all()).toBe(decodedByNode(chunks));
    }
  });
});

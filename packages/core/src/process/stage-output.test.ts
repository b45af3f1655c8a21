import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../../test/helpers/seeded-random.js";
import { Redactor } from "./redaction.js";
import { StageOutput } from "./stage-output.js";

function setUp(secrets: string[] = []) {
  const emitted: string[] = [];
  const output = new StageOutput({
    emit: (text) => emitted.push(text),
    redactor: new Redactor(secrets).stream(),
  });
  return { output, emitted, all: () => emitted.join("") };
}

describe("StageOutput", () => {
  it("holds a character split between reads until its end arrives", () => {
    const { output, emitted } = setUp();
    const text = Buffer.from("snow: 雪\n", "utf8");
    output.push(text.subarray(0, 7));
    output.push(text.subarray(7, 8));
    output.push(text.subarray(8));
    output.end();
    expect(emitted).toEqual(["snow: ", "雪\n"]);
  });

  it("decodes invalid bytes and a character left unfinished at the end as U+FFFD", () => {
    const { output, all } = setUp();
    output.push(Buffer.from([0x62, 0x61, 0x64, 0xff, 0x20]));
    output.push(Buffer.from("cut "));
    output.push(Buffer.from([0xe9, 0x9b]));
    output.end();
    expect(all()).toBe("bad\ufffd cut \ufffd");
  });

  it("redacts secrets, also when split across chunks", () => {
    const { output, all } = setUp(["hunter22"]);
    output.push(Buffer.from("password hun"));
    output.push(Buffer.from("ter22 ok\n"));
    output.end();
    expect(all()).toBe("password [REDACTED] ok\n");
  });

  it("gives the text Node decodes from the whole stream, however it is cut into chunks", () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 300; trial += 1) {
      const bytes = Buffer.from('ab"\\\n é 雪 🎉 '.repeat(4), "utf8");
      if (trial % 3 === 0) bytes[Math.floor(random() * bytes.length)] = 0xff;
      const { output, all } = setUp();
      for (let at = 0; at < bytes.length;) {
        const size = 1 + Math.floor(random() * 9);
        output.push(bytes.subarray(at, at + size));
        at += size;
      }
      output.end();
      expect(all()).toBe(bytes.toString("utf8"));
    }
  });
});

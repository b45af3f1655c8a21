import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { checkLogChain } from "./chain-check.js";
import { chainStart, LineChain } from "./hash-chain.js";

const RUN_ID = "2026-01-01T00-00-00-000Z-abcdef12";

// Lines as the writer seals them: the JSON object without its brace, then the chain's end.
function writeChained(file: string, bodies: string[], chain = LineChain.begin(RUN_ID)): LineChain {
  for (const body of bodies) {
    const bytes = Buffer.from(body, "utf8");
    fs.appendFileSync(file, Buffer.concat([bytes, Buffer.from(chain.seal(bytes), "latin1")]));
  }
  return chain;
}

const bodies = (count: number) =>
  Array.from(
    { length: count },
    (_, index) => `{"type":"command:stdout","data":"line ${index + 1} ✓","index":1`,
  );

function logFile(): string {
  return path.join(tempDir(), "runner.ndjson");
}

describe("log hash chains", () => {
  it("starts from the run id, and each line's prev is the sha256 of everything before it", () => {
    const file = logFile();
    const chain = writeChained(file, bodies(3));
    const lines = fs.readFileSync(file, "utf8").split("\n");
    expect((JSON.parse(lines[0] as string) as { prev: string }).prev).toBe(chainStart(RUN_ID));
    const check = checkLogChain(file, RUN_ID);
    expect(check).toMatchObject({ lines: 3, chainedLines: 3, broken: null });
    // The writer's running digest is the file's sha256: the attestation needs no second read.
    expect(check.sha256).toBe(chain.digest());
    expect(chain.lines).toBe(3);
  });

  it("continues a log across processes (resume, crash) from the file as it is", () => {
    const file = logFile();
    writeChained(file, bodies(2));
    writeChained(file, bodies(2), LineChain.continueFile(file, RUN_ID));
    expect(checkLogChain(file, RUN_ID)).toMatchObject({ lines: 4, chainedLines: 4, broken: null });
  });

  it("names the first line that breaks: an edited byte, a removed line, two swapped lines, a cut", () => {
    const file = logFile();
    writeChained(file, bodies(5));
    const original = fs.readFileSync(file);
    const lines = original.toString("utf8").split(/(?<=\n)/);
    const trials: Array<[string, string, number]> = [
      ["edit", original.toString("utf8").replace("line 2 ✓", "line 2 ✗"), 3],
      ["remove", [lines[0], lines[2], lines[3], lines[4]].join(""), 2],
      ["swap", [lines[0], lines[2], lines[1], lines[3], lines[4]].join(""), 2],
      ["cut", original.subarray(0, original.length - 20).toString("utf8"), 5],
      ["other run", original.toString("utf8"), 1],
    ];
    for (const [name, text, line] of trials) {
      fs.writeFileSync(file, text);
      const check = checkLogChain(file, name === "other run" ? "another-run" : RUN_ID);
      expect(check.broken?.line, name).toBe(line);
    }
  });

  it("reads a log written before chains as unchained, and a chain continued after it as whole", () => {
    const file = logFile();
    fs.writeFileSync(file, '{"type":"run:start","index":null}\n{"type":"run:end","index":null}\n');
    expect(checkLogChain(file, RUN_ID)).toMatchObject({ lines: 2, chainedLines: 0, broken: null });
    writeChained(file, bodies(2), LineChain.continueFile(file, RUN_ID));
    expect(checkLogChain(file, RUN_ID)).toMatchObject({ lines: 4, chainedLines: 2, broken: null });
  });

  it("finds a break in a long line split across read buffers", () => {
    const file = logFile();
    const long = `{"type":"command:stdout","data":"${"x".repeat(3 * 1024 * 1024)}","index":1`;
    writeChained(file, [long, ...bodies(2)]);
    expect(checkLogChain(file, RUN_ID).broken).toBeNull();
    const text = fs.readFileSync(file);
    text[2 * 1024 * 1024] = 0x79; // inside the long first line
    fs.writeFileSync(file, text);
    expect(checkLogChain(file, RUN_ID).broken?.line).toBe(2);
  });
});

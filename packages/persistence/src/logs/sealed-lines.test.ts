import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LineChain } from "@codex/orchestrator-schema/evidence";
import { afterEach, describe, expect, it } from "vitest";
import { AppendFile } from "../files/append-file.js";
import { sealLines } from "./sealed-lines.js";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
});

function tempFile(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "sealed-lines-"));
  directories.push(directory);
  return path.join(directory, "log.ndjson");
}

describe("sealLines", () => {
  it("seals a batch exactly as writing its lines one by one does", () => {
    const lines = [
      '{"type":"a","data":"x\\ny"}\n',
      '{"type":"b"}\n',
      `{"type":"c","data":"${"é".repeat(3000)}"}\n`,
    ];
    const oneByOne = tempFile();
    const file = new AppendFile(oneByOne, { chain: LineChain.begin("run-1") });
    for (const line of lines) file.writeLine(line);
    file.close();

    const batched = tempFile();
    const chain = LineChain.begin("run-1");
    const pieces = sealLines(Buffer.from(lines.join(""), "utf8"), chain);
    expect(pieces).not.toBeNull();
    fs.writeFileSync(batched, Buffer.concat(pieces ?? []));

    expect(fs.readFileSync(batched)).toEqual(fs.readFileSync(oneByOne));
    expect(chain.lines).toBe(3);
    expect(chain.digest()).toBe(LineChain.continueFile(oneByOne, "run-1").digest());
  });

  it("refuses a line that is not a JSON object ending in }", () => {
    expect(sealLines(Buffer.from('{"a":1}\n[1,2]\n'), LineChain.begin("r"))).toBeNull();
    expect(sealLines(Buffer.from('{"a":1}'), LineChain.begin("r"))).toBeNull();
  });
});

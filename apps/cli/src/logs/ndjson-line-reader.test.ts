import { appendFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { NdjsonLineReader } from "./ndjson-line-reader.js";

function readAll(reader: NdjsonLineReader): string[] {
  const lines: string[] = [];
  for (let line = reader.next(); line !== null; line = reader.next()) lines.push(line);
  return lines;
}

describe("NdjsonLineReader", () => {
  it("answers whole lines only and picks up what is appended later", () => {
    const file = path.join(tempDir(), "log.ndjson");
    const reader = new NdjsonLineReader(file);
    expect(reader.next()).toBeNull(); // not there yet
    writeFileSync(file, '{"a":1}\n{"b":');
    expect(readAll(reader)).toEqual(['{"a":1}']);
    appendFileSync(file, '2}\n{"c":3}\n');
    expect(readAll(reader)).toEqual(['{"b":2}', '{"c":3}']);
    reader.close();
  });

  it("reads lines longer than its chunk and characters split across chunks", () => {
    const file = path.join(tempDir(), "log.ndjson");
    // 'é' is two bytes: with this padding one of them falls on a 64 KiB chunk boundary.
    const long = `${"x".repeat(64 * 1024 - 1)}é${"y".repeat(100_000)}`;
    writeFileSync(file, `${long}\nshort\n`);
    const reader = new NdjsonLineReader(file);
    expect(readAll(reader)).toEqual([long, "short"]);
    reader.close();
  });

  it("never follows a link planted in place of a log", () => {
    const directory = tempDir();
    writeFileSync(path.join(directory, "secret"), "secret line\n");
    symlinkSync(path.join(directory, "secret"), path.join(directory, "log.ndjson"));
    expect(new NdjsonLineReader(path.join(directory, "log.ndjson")).next()).toBeNull();
  });
});

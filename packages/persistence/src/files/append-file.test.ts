import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { runNode, usePackageBundle, writeScript } from "../../test/child-processes.js";
import { UnsafePathError } from "../errors.js";
import { AppendFile, appendTextSync } from "./append-file.js";

const bundle = usePackageBundle();

describe("appendTextSync / AppendFile", () => {
  it("appends to a new or existing file", () => {
    const file = path.join(tempDir(), "runner.ndjson");
    appendTextSync(file, "one\n");
    appendTextSync(file, "two\n");
    const log = new AppendFile(file);
    log.write("three\n");
    log.write(Buffer.from("four\n"));
    log.close();
    log.close();
    expect(fs.readFileSync(file, "utf8")).toBe("one\ntwo\nthree\nfour\n");
    expect(() => log.write("five\n")).toThrow(/file already closed/);
  });

  it("refuses to follow a symlink (O_NOFOLLOW)", () => {
    const directory = tempDir();
    const target = path.join(directory, "elsewhere.txt");
    fs.writeFileSync(target, "original");
    const link = path.join(directory, "metrics.json");
    fs.symlinkSync(target, link);
    expect(() => appendTextSync(link, "x\n")).toThrow(UnsafePathError);
    expect(() => appendTextSync(link, "x\n")).toThrow(/Refusing to write to .*: it is a symbolic link/);
    expect(() => new AppendFile(link)).toThrow(/Refusing to write to .*metrics\.json: it is a symbolic link/);
    expect(fs.readFileSync(target, "utf8")).toBe("original");
  });

  it("keeps every line whole when 8 processes append 500 lines each, some over 4 KB", async () => {
    const directory = tempDir();
    const file = path.join(directory, "metrics.json");
    const script = writeScript(
      directory,
      "append.mjs",
      `import { AppendFile, appendTextSync } from ${JSON.stringify(bundle())};
const [file, writer, mode] = process.argv.slice(2);
const log = mode === "handle" ? new AppendFile(file) : null;
for (let line = 0; line < 500; line += 1) {
  const size = line % 50 === 0 ? 70000 : line % 7 === 0 ? 5000 + line : 10 + ((line * 37) % 300);
  const text = JSON.stringify({ writer: Number(writer), line, size, pad: String.fromCharCode(97 + (line % 26)).repeat(size) }) + "\\n";
  if (log) log.write(text);
  else appendTextSync(file, text);
}
log?.close();
`,
    );
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, writer) =>
        runNode(script, [file, String(writer), writer % 2 === 0 ? "handle" : "sync"]),
      ),
    );
    for (const result of results) {
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
    }
    const lines = fs.readFileSync(file, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(4000);
    const seen = new Map<number, Set<number>>();
    for (const text of lines) {
      const entry = JSON.parse(text) as { writer: number; line: number; size: number; pad: string };
      expect(entry.pad).toBe(String.fromCharCode(97 + (entry.line % 26)).repeat(entry.size));
      if (!seen.has(entry.writer)) seen.set(entry.writer, new Set());
      seen.get(entry.writer)?.add(entry.line);
    }
    expect([...seen.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const lineNumbers of seen.values()) expect(lineNumbers.size).toBe(500);
  });
});

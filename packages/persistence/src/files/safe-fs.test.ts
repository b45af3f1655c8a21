import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { nextTick, runNode, usePackageBundle, writeScript } from "../../test/child-processes.js";
import { InputFileError, PersistenceError, UnsafePathError, describeFsError } from "../errors.js";
import {
  ensureDirectory,
  ensureDirectoryInside,
  readTextIfExists,
  writeFileAtomic,
  writeJsonAtomic,
} from "./safe-fs.js";

const bundle = usePackageBundle();

describe("writeFileAtomic / writeJsonAtomic", () => {
  it("writes the content, replaces an existing file and leaves no temp file", () => {
    const directory = tempDir();
    const file = path.join(directory, "manifest.json");
    writeFileAtomic(file, "first");
    writeFileAtomic(file, new TextEncoder().encode("second"));
    expect(fs.readFileSync(file, "utf8")).toBe("second");
    writeJsonAtomic(file, { a: 1, b: [true] });
    expect(fs.readFileSync(file, "utf8")).toBe('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}\n');
    expect(fs.readdirSync(directory)).toEqual(["manifest.json"]);
  });

  it("refuses a symlink in the file's place and writes nothing", () => {
    const directory = tempDir();
    const outside = path.join(directory, "outside.txt");
    fs.writeFileSync(outside, "untouched");
    const link = path.join(directory, "manifest.json");
    fs.symlinkSync(outside, link);
    expect(() => writeFileAtomic(link, "new")).toThrow(UnsafePathError);
    expect(fs.readFileSync(outside, "utf8")).toBe("untouched");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readdirSync(directory).sort()).toEqual(["manifest.json", "outside.txt"]);
  });

  it("throws PersistenceError naming the action and path, and cleans up", () => {
    const directory = tempDir();
    const file = path.join(directory, "missing", "manifest.json");
    expect(() => writeFileAtomic(file, "x")).toThrow(PersistenceError);
    expect(() => writeFileAtomic(file, "x")).toThrow(
      `Could not write ${file}: no such file or directory (ENOENT)`,
    );
    try {
      writeFileAtomic(file, "x");
    } catch (error) {
      expect((error as PersistenceError).code).toBe("ERR_PERSISTENCE");
      expect((error as PersistenceError).path).toBe(file);
    }
    // Target is a directory: the rename fails after the temp file was written.
    fs.mkdirSync(path.join(directory, "taken"));
    expect(() => writeFileAtomic(path.join(directory, "taken"), "x")).toThrow(PersistenceError);
    expect(fs.readdirSync(directory).sort()).toEqual(["taken"]);
  });

  it("never lets a reader see a torn file while another process rewrites it", async () => {
    const directory = tempDir();
    const file = path.join(directory, "big.json");
    const script = writeScript(
      directory,
      "rewrite.mjs",
      `import { writeJsonAtomic } from ${JSON.stringify(bundle())};
const file = process.argv[2];
for (let version = 0; version < 60; version += 1) {
  writeJsonAtomic(file, { version, rows: Array.from({ length: 20000 }, (_, i) => ({ i, text: "row " + i + " of " + version })) });
}
`,
    );
    writeJsonAtomic(file, { version: -1, rows: [] });
    const child = runNode(script, [file]);
    let reads = 0;
    const versions = new Set<number>();
    const failures: string[] = [];
    while (!child.exited()) {
      const text = fs.readFileSync(file, "utf8");
      reads += 1;
      try {
        const value = JSON.parse(text) as { version: number; rows: unknown[] };
        versions.add(value.version);
        if (value.version >= 0 && value.rows.length !== 20000)
          failures.push(`version ${value.version} has ${value.rows.length} rows`);
      } catch (error) {
        failures.push(`${(error as Error).message} (${text.length} bytes)`);
      }
      await nextTick();
    }
    const result = await child;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect((JSON.parse(fs.readFileSync(file, "utf8")) as { version: number }).version).toBe(59);
    expect(fs.readdirSync(directory).sort()).toEqual(["big.json", "rewrite.mjs"]);
  });
});

describe("ensureDirectoryInside", () => {
  it("creates a directory inside the base", () => {
    const base = path.join(tempDir(), ".runs");
    const directory = path.join(base, "0101", "cli", "run");
    ensureDirectoryInside(directory, base);
    expect(fs.statSync(directory).isDirectory()).toBe(true);
  });

  it("accepts a base that is itself reached through a symlink", () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "real-runs"));
    fs.symlinkSync(path.join(root, "real-runs"), path.join(root, ".runs"));
    ensureDirectoryInside(path.join(root, ".runs", "0101"), path.join(root, ".runs"));
    expect(fs.existsSync(path.join(root, "real-runs", "0101"))).toBe(true);
  });

  it("accepts a name that merely starts with '..'", () => {
    const base = tempDir();
    ensureDirectoryInside(path.join(base, "..data"), base);
    expect(fs.existsSync(path.join(base, "..data"))).toBe(true);
  });

  it("refuses a '..' path that leaves the base", () => {
    const root = tempDir();
    const base = path.join(root, ".runs");
    const escape = `${base}${path.sep}..${path.sep}escaped`;
    expect(() => ensureDirectoryInside(escape, base)).toThrow(UnsafePathError);
    expect(() => ensureDirectoryInside(escape, base)).toThrow(/outside/);
    expect(fs.existsSync(path.join(root, "escaped"))).toBe(false);
  });

  it("refuses a symlink planted inside the base that points outside, creating nothing there", () => {
    const root = tempDir();
    const base = path.join(root, ".runs");
    const outside = path.join(root, "outside");
    fs.mkdirSync(base);
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(base, "0101"));
    let caught: unknown;
    try {
      ensureDirectoryInside(path.join(base, "0101", "cli", "run"), base);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnsafePathError);
    expect((caught as UnsafePathError).code).toBe("ERR_UNSAFE_PATH");
    expect((caught as UnsafePathError).message).toMatch(/symbolic link leads it outside/);
    expect(fs.readdirSync(outside)).toEqual([]);
    // The link itself as the target is refused too.
    expect(() => ensureDirectoryInside(path.join(base, "0101"), base)).toThrow(UnsafePathError);
  });

  it("wraps a failure to create with PersistenceError", () => {
    const base = tempDir();
    fs.writeFileSync(path.join(base, "file"), "");
    expect(() => ensureDirectoryInside(path.join(base, "file", "sub"), base)).toThrow(PersistenceError);
    expect(() => ensureDirectory(path.join(base, "file", "sub"))).toThrow(/Could not create directory/);
  });
});

describe("readTextIfExists", () => {
  it("returns the text, null for a missing file, and wraps other errors", () => {
    const directory = tempDir();
    fs.writeFileSync(path.join(directory, "a.txt"), "hello");
    expect(readTextIfExists(path.join(directory, "a.txt"))).toBe("hello");
    expect(readTextIfExists(path.join(directory, "missing.txt"))).toBeNull();
    expect(() => readTextIfExists(directory)).toThrow(
      /Refusing to read .*: it is a directory, not a regular file/,
    );
  });

  it("refuses a FIFO and a device at once, and files over the size limit", () => {
    const directory = tempDir();
    const fifo = path.join(directory, "fifo");
    spawnSync("mkfifo", [fifo]);
    expect(() => readTextIfExists(fifo)).toThrow(InputFileError);
    expect(() => readTextIfExists("/dev/zero", { maxBytes: 1024 })).toThrow(/it is a character device/);
    fs.writeFileSync(path.join(directory, "big.json"), "x".repeat(2048));
    expect(() => readTextIfExists(path.join(directory, "big.json"), { maxBytes: 1024 })).toThrow(
      /larger than 1024 bytes/,
    );
  });

  it("refuses a symlink at the file when links are not to be followed", () => {
    const directory = tempDir();
    fs.writeFileSync(path.join(directory, "real.json"), "{}");
    fs.symlinkSync(path.join(directory, "real.json"), path.join(directory, "link.json"));
    expect(readTextIfExists(path.join(directory, "link.json"))).toBe("{}");
    expect(() => readTextIfExists(path.join(directory, "link.json"), { followLinks: false })).toThrow(
      UnsafePathError,
    );
  });
});

describe("describeFsError", () => {
  it("turns Node error codes into short reasons", () => {
    expect(describeFsError(Object.assign(new Error("raw"), { code: "ENOSPC" }))).toBe(
      "no space left on device (ENOSPC)",
    );
    expect(describeFsError(Object.assign(new Error("raw message"), { code: "EWHATEVER" }))).toBe(
      "raw message",
    );
    expect(describeFsError("plain")).toBe("plain");
    expect(describeFsError(null)).toBe("null");
  });

  it("adds a hint for permission and disk-space failures", () => {
    expect(new PersistenceError("write", "/x", Object.assign(new Error(), { code: "EACCES" })).hint).toMatch(
      /permissions/,
    );
    expect(new PersistenceError("write", "/x", Object.assign(new Error(), { code: "ENOSPC" })).hint).toMatch(
      /disk space/,
    );
    expect(new PersistenceError("write", "/x", new Error("other")).hint).toBeUndefined();
  });
});

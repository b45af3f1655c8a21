import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { manifest } from "../../test/fixtures.js";
import { ManifestReadError } from "../errors.js";
import { readManifest, writeManifest } from "./manifest-file.js";

const RUN_ID = "2025-10-31T22-56-34-431Z-9574035c";

describe("readManifest / writeManifest", () => {
  it("round-trips a manifest", () => {
    const file = path.join(tempDir(), "manifest.json");
    writeManifest(file, manifest(RUN_ID));
    expect(readManifest(file)).toEqual(manifest(RUN_ID));
  });

  it("says when the manifest is missing", () => {
    const file = path.join(tempDir(), "manifest.json");
    expect(() => readManifest(file)).toThrow(ManifestReadError);
    expect(() => readManifest(file)).toThrow(`Manifest not found: ${file}`);
  });

  it("says where corrupt JSON is", () => {
    const file = path.join(tempDir(), "manifest.json");
    fs.writeFileSync(file, '{\n  "version": 1,\n}');
    expect(() => readManifest(file)).toThrow(`Manifest is corrupt: ${file}:3:1: invalid JSON`);
  });

  it("names the first field that does not match the schema", () => {
    const file = path.join(tempDir(), "manifest.json");
    const bad: Record<string, unknown> = { ...manifest(RUN_ID) };
    delete bad.status;
    fs.writeFileSync(file, JSON.stringify(bad));
    let caught: unknown;
    try {
      readManifest(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ManifestReadError);
    expect((caught as ManifestReadError).code).toBe("ERR_MANIFEST_UNREADABLE");
    expect((caught as ManifestReadError).message).toMatch(/status: required field is missing/);
  });
});

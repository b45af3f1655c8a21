import fs from "node:fs";
import path from "node:path";
import { validatorsFor } from "@codex/orchestrator-schema";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { writeCompatPointers } from "./compat-pointers.js";
import { UnsafePathError } from "../errors.js";
import { resolveLocations, resolveRunPaths } from "./run-paths.js";
import { ensureDirectoryInside, writeJsonAtomic } from "../files/safe-fs.js";

const RUN_ID = "2025-10-31T22-56-34-431Z-9574035c";
const NOW = new Date("2025-10-31T22:56:35.000Z");

function setUp() {
  const root = tempDir();
  const locations = resolveLocations({ env: {}, cwd: root });
  const paths = resolveRunPaths(locations, { taskId: "0101", runId: RUN_ID });
  ensureDirectoryInside(paths.runDir, locations.runsDir);
  writeJsonAtomic(paths.manifest, { run_id: RUN_ID });
  return { root, locations, paths };
}

describe("writeCompatPointers", () => {
  it("writes the MCP pointer, a relative local-mcp symlink and compat.json, each valid per schema", () => {
    const { locations, paths } = setUp();
    const result = writeCompatPointers(locations, paths, NOW);
    expect(result).toEqual({ compatPath: `.runs/0101/mcp/${RUN_ID}/manifest.json`, pointer: "symlink" });

    const pointer: unknown = JSON.parse(fs.readFileSync(paths.mcpPointer, "utf8"));
    expect(validatorsFor("mcp-compat-pointer").validate(pointer)).toEqual({ valid: true, errors: [] });
    expect(pointer).toMatchObject({
      redirect_to: `.runs/0101/cli/${RUN_ID}`,
      manifest: `.runs/0101/cli/${RUN_ID}/manifest.json`,
      created_at: NOW.toISOString(),
    });

    const link = fs.readlinkSync(paths.localMcpManifest);
    expect(path.isAbsolute(link)).toBe(false);
    expect(link).toBe(path.join("..", "..", "0101", "cli", RUN_ID, "manifest.json"));
    expect(fs.realpathSync(paths.localMcpManifest)).toBe(fs.realpathSync(paths.manifest));
    expect(JSON.parse(fs.readFileSync(paths.localMcpManifest, "utf8"))).toEqual({ run_id: RUN_ID });

    const compat: unknown = JSON.parse(fs.readFileSync(paths.localMcpCompat, "utf8"));
    expect(validatorsFor("local-compat").validate(compat)).toEqual({ valid: true, errors: [] });
    expect(compat).toEqual({
      artifact_root: `.runs/0101/cli/${RUN_ID}`,
      manifest: `.runs/0101/cli/${RUN_ID}/manifest.json`,
      pointer: "symlink",
      created_at: NOW.toISOString(),
    });
  });

  it("can be called again (resume) and replaces a stale stub with the link", () => {
    const { locations, paths } = setUp();
    writeCompatPointers(locations, paths, NOW);
    expect(writeCompatPointers(locations, paths, NOW).pointer).toBe("symlink");
    fs.rmSync(paths.localMcpManifest);
    writeJsonAtomic(paths.localMcpManifest, { stub: true });
    expect(writeCompatPointers(locations, paths, NOW).pointer).toBe("symlink");
    expect(fs.lstatSync(paths.localMcpManifest).isSymbolicLink()).toBe(true);
  });

  it("falls back to a schema-valid JSON stub where symlinks are unavailable", () => {
    const { locations, paths } = setUp();
    // The one mock here: this machine can make links, Windows without developer mode cannot.
    const symlink = vi.spyOn(fs, "symlinkSync").mockImplementation(() => {
      throw Object.assign(new Error("operation not permitted"), { code: "EPERM" });
    });
    onTestFinished(() => symlink.mockRestore());
    expect(writeCompatPointers(locations, paths, NOW)).toEqual({
      compatPath: `.runs/0101/mcp/${RUN_ID}/manifest.json`,
      pointer: "stub",
    });
    const stub: unknown = JSON.parse(fs.readFileSync(paths.localMcpManifest, "utf8"));
    expect(validatorsFor("local-manifest-stub").validate(stub)).toEqual({ valid: true, errors: [] });
    expect(stub).toMatchObject({
      redirect_to: `.runs/0101/cli/${RUN_ID}`,
      manifest: `.runs/0101/cli/${RUN_ID}/manifest.json`,
    });
    expect(JSON.parse(fs.readFileSync(paths.localMcpCompat, "utf8"))).toMatchObject({ pointer: "stub" });
  });

  it("refuses to follow a local-mcp symlink planted outside the runs directory", () => {
    const { root, locations, paths } = setUp();
    const outside = path.join(root, "outside");
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(locations.runsDir, "local-mcp"));
    expect(() => writeCompatPointers(locations, paths, NOW)).toThrow(UnsafePathError);
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../../test/helpers/temp-dir.js";
import { resolveLocations } from "./run-paths.js";
import { findRunById, listRunIds, listTaskIds } from "./run-lookup.js";

const OLD = "2025-10-31T22-56-34-431Z-9574035c";
const NEW = "2025-11-01T08-00-00-000Z-0badcafe";

function setUp() {
  const root = tempDir();
  writeFiles(root, {
    [`.runs/0101/cli/${NEW}/manifest.json`]: "{}",
    [`.runs/0101/cli/${OLD}/manifest.json`]: "{}",
    [`.runs/0101/metrics.json`]: "",
    [`.runs/task-b/cli/2025-11-02T00-00-00-000Z-00000001/manifest.json`]: "{}",
    [`.runs/task-b/cli/no-manifest-yet/.heartbeat`]: "",
    [`.runs/local-mcp/${OLD}/compat.json`]: "{}",
    [`.runs/.hidden/cli/x/manifest.json`]: "{}",
    [`.runs/stray-file`]: "",
  });
  return { root, locations: resolveLocations({ env: {}, cwd: root }) };
}

describe("listTaskIds", () => {
  it("lists task directories sorted, skipping local-mcp, files and invalid ids", () => {
    const { locations } = setUp();
    expect(listTaskIds(locations)).toEqual(["0101", "task-b"]);
  });

  it("is empty when the runs directory does not exist", () => {
    expect(listTaskIds(resolveLocations({ env: {}, cwd: path.join(tempDir(), "nowhere") }))).toEqual([]);
  });
});

describe("listRunIds", () => {
  it("lists a task's runs oldest first", () => {
    const { locations } = setUp();
    expect(listRunIds(locations, "0101")).toEqual([OLD, NEW]);
    expect(listRunIds(locations, "unknown")).toEqual([]);
  });
});

describe("findRunById", () => {
  it("finds a run by id alone, whatever its task", () => {
    const { root, locations } = setUp();
    expect(findRunById(locations, NEW)).toEqual({
      taskId: "0101",
      runId: NEW,
      runDir: path.join(root, ".runs", "0101", "cli", NEW),
      manifest: path.join(root, ".runs", "0101", "cli", NEW, "manifest.json"),
    });
    expect(findRunById(locations, "2025-11-02T00-00-00-000Z-00000001")?.taskId).toBe("task-b");
  });

  it("returns null for an unknown run or one without a manifest", () => {
    const { locations } = setUp();
    expect(findRunById(locations, "2030-01-01T00-00-00-000Z-00000000")).toBeNull();
    expect(findRunById(locations, "no-manifest-yet")).toBeNull();
  });

  it("finds nothing for an unsafe id, even one that names a real manifest by traversal", () => {
    const { root, locations } = setUp();
    fs.mkdirSync(path.join(root, ".runs", "0101", "cli", "x"), { recursive: true });
    expect(findRunById(locations, `x/../${OLD}`)).toBeNull();
    expect(findRunById(locations, `../../task-b/cli/2025-11-02T00-00-00-000Z-00000001`)).toBeNull();
    expect(findRunById(locations, "")).toBeNull();
  });
});

import fs from "node:fs";
import path from "node:path";
import type { ChildRun } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { mergeChildRuns, readChildRegistrations, writeChildRegistration } from "./child-registry.js";

function child(runId: string, status: ChildRun["status"] = "in_progress"): ChildRun {
  return {
    run_id: runId,
    task_id: "0101",
    pipeline_id: "sub",
    status,
    manifest: `.runs/0101/cli/${runId}/manifest.json`,
  };
}

describe("writeChildRegistration / readChildRegistrations", () => {
  it("writes one file per child and reads them back oldest first", () => {
    const childrenDir = path.join(tempDir(), "run", "children");
    writeChildRegistration(childrenDir, child("2025-11-01T00-00-00-000Z-00000002"));
    writeChildRegistration(childrenDir, child("2025-10-01T00-00-00-000Z-00000001"));
    writeChildRegistration(childrenDir, child("2025-11-01T00-00-00-000Z-00000002", "succeeded"));
    expect(readChildRegistrations(childrenDir)).toEqual([
      child("2025-10-01T00-00-00-000Z-00000001"),
      child("2025-11-01T00-00-00-000Z-00000002", "succeeded"),
    ]);
  });

  it("skips unreadable and invalid entries and temp files; a missing folder reads as empty", () => {
    const childrenDir = path.join(tempDir(), "children");
    expect(readChildRegistrations(childrenDir)).toEqual([]);
    writeChildRegistration(childrenDir, child("a"));
    fs.writeFileSync(path.join(childrenDir, "b.json"), "{ torn");
    fs.writeFileSync(path.join(childrenDir, "c.json"), JSON.stringify({ run_id: "c" }));
    fs.writeFileSync(path.join(childrenDir, ".d.json.123.tmp"), JSON.stringify(child("d")));
    fs.writeFileSync(path.join(childrenDir, "notes.txt"), "x");
    expect(readChildRegistrations(childrenDir)).toEqual([child("a")]);
  });
});

describe("mergeChildRuns", () => {
  it("merges by run id, later entries winning, in order of first appearance", () => {
    const merged = mergeChildRuns(
      [child("a"), child("b")],
      [child("c"), child("a", "failed"), child("c", "succeeded")],
    );
    expect(merged).toEqual([child("a", "failed"), child("b"), child("c", "succeeded")]);
  });

  it("removes duplicates within one list (no duplicates on resume)", () => {
    expect(mergeChildRuns([child("a"), child("a", "succeeded")], [])).toEqual([child("a", "succeeded")]);
  });
});

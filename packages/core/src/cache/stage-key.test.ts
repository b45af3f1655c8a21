import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../../test/helpers/temp-dir.js";
import { describeChanges, fingerprintStage, type StageKeyInput } from "./stage-key.js";

function input(root: string, extra: Partial<StageKeyInput> = {}): StageKeyInput {
  return {
    root,
    cwd: root,
    command: "build",
    stageEnv: {},
    environment: { MODE: "a", OTHER: "x" },
    spec: { inputs: ["src/**"], outputs: ["dist/**"], env: ["MODE"], reuseGuardrail: false },
    needs: [],
    excluded: [path.join(root, ".runs")],
    ...extra,
  };
}

describe("fingerprintStage", () => {
  it("changes with an input file, a declared env value, the command and a need's key; not with an undeclared variable", async () => {
    const root = tempDir();
    writeFiles(root, { "src/a.ts": "a", "src/b/c.ts": "c" });
    const base = await fingerprintStage(input(root));
    expect(base.key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Object.keys(base.inputs)).toEqual(["src/a.ts", "src/b/c.ts"]);
    expect((await fingerprintStage(input(root))).key).toBe(base.key);

    const undeclared = await fingerprintStage(input(root, { environment: { MODE: "a", OTHER: "y" } }));
    expect(undeclared.key).toBe(base.key);
    const declared = await fingerprintStage(input(root, { environment: { MODE: "b" } }));
    expect(declared.key).not.toBe(base.key);
    expect(describeChanges(base, declared)).toEqual(["env MODE changed"]);
    expect((await fingerprintStage(input(root, { command: "build --prod" }))).key).not.toBe(base.key);
    const need = await fingerprintStage(
      input(root, { needs: [{ id: "gen", key: "sha256:1", status: "succeeded" }] }),
    );
    expect(need.key).not.toBe(base.key);

    fs.writeFileSync(path.join(root, "src/a.ts"), "a2");
    const changed = await fingerprintStage(input(root));
    expect(changed.key).not.toBe(base.key);
    expect(describeChanges(base, changed)).toEqual(["input src/a.ts changed"]);
  });

  it("never reads outputs or the runs directory as inputs", async () => {
    const root = tempDir();
    writeFiles(root, { "a.ts": "a", "dist/out.js": "1", ".runs/0101/x.json": "{}" });
    const all = input(root, {
      spec: { inputs: ["**/*"], outputs: ["dist/**"], env: [], reuseGuardrail: false },
    });
    const before = await fingerprintStage(all);
    expect(Object.keys(before.inputs)).toEqual(["a.ts"]);
    writeFiles(root, { "dist/out.js": "2", ".runs/0101/y.json": "{}" });
    expect((await fingerprintStage(all)).key).toBe(before.key);
  });

  it("hashes a link as its target, without following it", async () => {
    const root = tempDir();
    writeFiles(root, { "src/a.ts": "a" });
    fs.symlinkSync("/nonexistent/target", path.join(root, "src/link"));
    const fingerprint = await fingerprintStage(input(root));
    expect(fingerprint.inputs["src/link"]).toBe("link:/nonexistent/target");
  });
});

describe("matchPaths", () => {
  it("lists links (to files, folders, nowhere) without following them, and skips excluded folders", async () => {
    const root = tempDir();
    writeFiles(root, { "d/a": "a", "d/sub/b": "b", "d/skip/c": "c" });
    fs.symlinkSync("a", path.join(root, "d/file-link"));
    fs.symlinkSync("/etc", path.join(root, "d/dir-link"));
    fs.symlinkSync("/nonexistent", path.join(root, "d/dangling"));
    const { matchPaths } = await import("./file-digests.js");
    expect(await matchPaths({ cwd: root, patterns: ["d/**", "!d/skip/**"] })).toEqual([
      "d/a",
      "d/dangling",
      "d/dir-link",
      "d/file-link",
      "d/sub/b",
    ]);
    expect(
      await matchPaths({ cwd: root, patterns: ["d/**"], ignore: ["d/skip"], directories: true }),
    ).toContain("d/sub");
  });
});

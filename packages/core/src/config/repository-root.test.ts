import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../../test/helpers/temp-dir.js";
import { chooseRoot, findRepositoryRoot } from "./repository-root.js";

describe("findRepositoryRoot", () => {
  it("prefers a config registering the project, then the nearest config, workspace root and git root", () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, ".git"));
    writeFiles(root, {
      "package.json": JSON.stringify({ workspaces: ["apps/*", "packages/*"] }),
      "packages/lib/package.json": "{}",
      "packages/lib/src/.keep": "",
      "apps/web/codex.orchestrator.json": "{}",
      "tools/deep/.keep": "",
    });
    expect(findRepositoryRoot(path.join(root, "tools/deep"))).toBe(root);
    expect(findRepositoryRoot(path.join(root, "packages/lib/src"))).toBe(root);
    expect(findRepositoryRoot(path.join(root, "apps/web"))).toBe(path.join(root, "apps/web"));

    writeFiles(root, {
      "codex.orchestrator.json": JSON.stringify({ projects: [{ taskId: "web", path: "apps/web" }] }),
    });
    expect(findRepositoryRoot(path.join(root, "apps/web"))).toBe(root);
  });

  it("reads pnpm-workspace.yaml and yarn's workspaces object; ignores package.json without workspaces", () => {
    const pnpm = tempDir();
    writeFiles(pnpm, { "pnpm-workspace.yaml": "packages: []\n", "a/package.json": "{}" });
    expect(findRepositoryRoot(path.join(pnpm, "a"))).toBe(pnpm);

    const yarn = tempDir();
    writeFiles(yarn, {
      "package.json": JSON.stringify({ workspaces: { packages: ["a"] } }),
      "a/package.json": "{}",
    });
    expect(findRepositoryRoot(path.join(yarn, "a"))).toBe(yarn);

    const plain = tempDir();
    writeFiles(plain, { "package.json": JSON.stringify({ name: "x" }), "a/.keep": "" });
    expect(chooseRoot({ env: {}, cwd: path.join(plain, "a") })).not.toBe(plain);
  });

  it("leaves the choice to the explicit root and CODEX_ORCHESTRATOR_ROOT", () => {
    const root = tempDir();
    writeFiles(root, { "codex.orchestrator.json": "{}", "sub/.keep": "" });
    const cwd = path.join(root, "sub");
    expect(chooseRoot({ env: {}, cwd })).toBe(root);
    expect(chooseRoot({ root: "/elsewhere", env: {}, cwd })).toBe("/elsewhere");
    expect(chooseRoot({ env: { CODEX_ORCHESTRATOR_ROOT: "/env" }, cwd })).toBeUndefined();
  });
});

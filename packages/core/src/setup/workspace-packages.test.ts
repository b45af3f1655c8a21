import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../../test/helpers/temp-dir.js";
import { buildStarterConfig, starterTaskId } from "./starter-config.js";
import { findRepositoryPackages } from "./workspace-packages.js";

describe("findRepositoryPackages", () => {
  it("expands npm workspace globs (`*`, `**`, exact paths), skipping node_modules and folders without package.json", () => {
    const root = tempDir();
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "mono", workspaces: ["apps/**", "tools/cli"] }),
      "package-lock.json": "{}",
      "apps/web/package.json": JSON.stringify({ name: "web", scripts: { build: "x", test: "y" } }),
      "apps/group/admin/package.json": JSON.stringify({ name: "admin", scripts: { lint: "z" } }),
      "apps/web/node_modules/dep/package.json": JSON.stringify({ name: "dep" }),
      "apps/docs/README.md": "",
      "tools/cli/package.json": JSON.stringify({ name: "cli" }),
    });

    const found = findRepositoryPackages(root);

    expect(found.packageManager).toBe("npm");
    expect(found.root).toMatchObject({ path: ".", name: "mono", scripts: [] });
    expect(found.packages.map((pkg) => [pkg.path, pkg.scripts])).toEqual([
      ["apps/group/admin", ["lint"]],
      ["apps/web", ["build", "test"]],
      ["tools/cli", []],
    ]);
  });

  it("reads yarn's `{ packages }` form and picks yarn from its lockfile", () => {
    const root = tempDir();
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "@scope/Big App", workspaces: { packages: ["libs/*"] } }),
      "yarn.lock": "",
      "libs/a/package.json": JSON.stringify({ name: "a", scripts: { typecheck: "tsc" } }),
    });
    const found = findRepositoryPackages(root);

    expect(found.packageManager).toBe("yarn");
    expect(starterTaskId(root, found.root)).toBe("big-app");
    const config = buildStarterConfig({ root, found });
    expect(config.pipelines?.[0]?.before).toEqual([
      {
        kind: "command",
        id: "typecheck-a",
        title: "Typecheck a",
        command: "yarn run typecheck",
        cwd: "libs/a",
      },
    ]);
  });
});

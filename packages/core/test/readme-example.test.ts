import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { tempDir, writeFiles } from "../../../test/helpers/temp-dir.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** The first ```ts block under the README's "## Example" heading. */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(packageDir, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Example"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (match?.[1] === undefined) throw new Error("README.md has no ```ts block under ## Example");
  return match[1];
}

describe("README example", () => {
  it("runs for real against a temporary repository", async () => {
    const source = readmeExample();
    expect(source).toContain('from "@codex/orchestrator-core"');
    expect(source).toContain('"/path/to/repo"');

    const dir = tempDir();
    // The built-in diagnostics pipeline runs `npm run build|lint|test` and the spec guard through
    // the repository's installed CLI (a stand-in here).
    writeFiles(dir, {
      "package.json": JSON.stringify({
        name: "readme-example",
        private: true,
        scripts: { build: "echo built", lint: "echo linted", test: "echo tested" },
      }),
      "node_modules/.bin/codex-orchestrator": '#!/usr/bin/env bash\necho "spec guard $*"\n',
    });
    fs.chmodSync(path.join(dir, "node_modules/.bin/codex-orchestrator"), 0o755);
    const example = path.join(dir, "example.ts");
    fs.writeFileSync(
      example,
      source
        .replace(
          '"@codex/orchestrator-core"',
          JSON.stringify(pathToFileURL(path.join(packageDir, "src/index.ts")).href),
        )
        .replace('"/path/to/repo"', JSON.stringify(dir)),
    );

    // The example uses process.env: keep variables that would steer the run away from `dir`.
    for (const name of Object.keys(process.env)) {
      if (name.startsWith("CODEX_ORCHESTRATOR_") || name === "MCP_RUNNER_TASK_ID")
        vi.stubEnv(name, undefined);
    }
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...values: unknown[]) => {
      lines.push(values.join(" "));
    });
    try {
      await import(/* @vite-ignore */ pathToFileURL(example).href);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }

    expect(lines.slice(0, 4)).toEqual([
      "build: succeeded",
      "lint: succeeded",
      "test: succeeded",
      "spec-guard: succeeded",
    ]);
    const summary = /^Run (\S+) succeeded, manifest (\S+)$/.exec(lines[4] ?? "");
    expect(summary, lines.join("\n")).not.toBeNull();
    expect(summary?.[2]).toBe(`.runs/0101/cli/${summary?.[1]}/manifest.json`);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, summary?.[2] ?? ""), "utf8")) as {
      summary: string;
    };
    expect(manifest.summary.split("\n").pop()).toBe("Guardrails: spec-guard succeeded (1 passed).");
  });
});

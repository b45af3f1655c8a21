import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_BIN, readJson, readNdjson, runCli, runCliJson } from "../helpers/cli.js";
import { commitAll, initGitRepository } from "../helpers/git.js";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";

interface CommandRow {
  id: string;
  status: string;
  summary: string | null;
  error_file?: string | null;
}
interface ManifestRows {
  summary: string;
  commands: CommandRow[];
}

// No CODEX_ORCHESTRATOR_ROOT: the CLI finds the root itself, as it does for a person.
const FIND_ROOT = { CODEX_ORCHESTRATOR_ROOT: "" };

function manifestOf(root: string, relative: string): ManifestRows {
  return readJson<ManifestRows>(root, relative);
}

function lastLine(text: string): string {
  return text.split("\n").at(-1) ?? "";
}

describe("the default pipeline in a repository that is not this one", () => {
  it("skips npm scripts the package lacks, runs the spec guard shipped with the CLI and succeeds", () => {
    const root = tempDir();
    initGitRepository(root);
    writeFiles(root, { "package.json": JSON.stringify({ name: "plain", scripts: { build: "echo built" } }) });
    commitAll(root, "initial");

    const result = runCliJson<{ status: string; manifest: string }>(root, ["start"]);

    expect(result.status).toBe(0);
    expect(result.json.status).toBe("succeeded");
    expect(fs.existsSync(path.join(root, "scripts"))).toBe(false);
    const manifest = manifestOf(root, result.json.manifest);
    expect(manifest.commands.map((entry) => [entry.id, entry.status, entry.summary])).toEqual([
      ["build", "succeeded", "built"],
      ["lint", "skipped", 'no "lint" script in package.json'],
      ["test", "skipped", 'no "test" script in package.json'],
      ["spec-guard", "succeeded", "spec-guard: OK (1 checks)"],
    ]);
    expect(lastLine(manifest.summary)).toBe("Guardrails: spec-guard succeeded (1 passed).");
  });

  it("keeps the skip for a pipeline that extends diagnostics, and its resume command works", () => {
    const root = tempDir();
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "plain", scripts: {} }),
      "codex.orchestrator.json": JSON.stringify({
        pipelines: [
          {
            id: "ci",
            extends: "diagnostics",
            after: [{ kind: "command", id: "flaky", title: "Flaky", command: "test -f fixed" }],
          },
        ],
      }),
    });
    const failed = runCliJson<{ run_id: string; status: string; manifest: string }>(root, ["start", "ci"]);
    expect(failed.json.status).toBe("failed");
    expect(manifestOf(root, failed.json.manifest).commands.map((entry) => entry.status)).toEqual([
      "skipped",
      "skipped",
      "skipped",
      "succeeded",
      "failed",
    ]);

    fs.writeFileSync(path.join(root, "fixed"), "");
    const resumed = runCliJson<{ status: string }>(root, ["resume", failed.json.run_id]);
    expect(resumed.json.status).toBe("succeeded");
  });

  it("fails a configured npm stage whose script is missing: only the built-in stages skip", () => {
    const root = tempDir();
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "plain", scripts: {} }),
      "codex.orchestrator.json": JSON.stringify({
        pipelines: [
          {
            id: "mine",
            title: "Mine",
            stages: [{ kind: "command", id: "lint", title: "Lint", command: "npm run lint" }],
          },
        ],
      }),
    });
    const result = runCliJson<{ status: string }>(root, ["start", "mine"]);
    expect(result.json.status).toBe("failed");
  });
});

describe("the guardrail line", () => {
  function repositoryWithStaleSpec(): string {
    const root = tempDir();
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "plain", scripts: {} }),
      "tasks/specs/0101-demo.md": "---\nid: 0101\n---\n\n# Demo\n",
    });
    return root;
  }

  it("counts a dry-run guard's problems: never succeeded, not passed in metrics, the run goes on", () => {
    const root = repositoryWithStaleSpec();

    const result = runCliJson<{ status: string; manifest: string; artifact_root: string }>(root, ["start"]);

    expect(result.json.status).toBe("succeeded");
    const manifest = manifestOf(root, result.json.manifest);
    const guard = manifest.commands.find((entry) => entry.id === "spec-guard");
    expect(guard?.summary).toMatch(/^spec-guard: \d+ problem\(s\) found \(dry run: not failing\)$/);
    const problems = Number(/(\d+) problem/.exec(guard?.summary ?? "")?.[1]);
    expect(problems).toBeGreaterThan(0);
    expect(lastLine(manifest.summary)).toBe(
      `Guardrails: spec-guard failed (1/1 failed): ${problems} problem(s) found (dry run: the run was not failed).`,
    );
    expect(lastLine(manifest.summary)).not.toContain("succeeded");
    const metrics = readNdjson<{ guardrails_present: boolean }>(root, ".runs/0101/metrics.json");
    expect(metrics.at(-1)?.guardrails_present).toBe(false);
    const summary = readJson<{ guardrails: { status: string; passed: number; failed: number } }>(
      root,
      `${result.json.artifact_root}/run-summary.json`,
    );
    expect(summary.guardrails).toMatchObject({ status: "failed", passed: 0, failed: 1 });
  });

  it("says the same, without the dry-run note, when the guard fails the run", () => {
    const root = repositoryWithStaleSpec();
    writeFiles(root, {
      "codex.orchestrator.json": JSON.stringify({
        pipelines: [
          {
            id: "strict",
            title: "Strict",
            stages: [
              {
                kind: "command",
                id: "guard",
                title: "Guard",
                command: "codex-orchestrator spec-guard",
                guardrail: true,
              },
            ],
          },
        ],
      }),
    });
    const cliDir = path.join(root, "bin");
    writeFiles(root, {
      "bin/codex-orchestrator": `#!/bin/sh\nexec "${process.execPath}" "${CLI_BIN}" "$@"\n`,
    });
    fs.chmodSync(path.join(cliDir, "codex-orchestrator"), 0o755);

    const result = runCliJson<{ status: string; manifest: string }>(root, ["start", "strict"], {
      env: { PATH: `${cliDir}${path.delimiter}${process.env.PATH ?? ""}` },
    });

    expect(result.json.status).toBe("failed");
    expect(lastLine(manifestOf(root, result.json.manifest).summary)).toMatch(
      /^Guardrails: guard failed \(1\/1 failed\): \d+ problem\(s\) found\.$/,
    );
  });
});

describe("the repository root, found from a subdirectory", () => {
  function expectRunAt(root: string, subdirectory: string, expectedRoot: string): void {
    const cwd = path.join(root, subdirectory);
    fs.mkdirSync(cwd, { recursive: true });
    const result = runCliJson<{ manifest: string }>(root, ["start"], { cwd, env: FIND_ROOT });
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(expectedRoot, result.json.manifest))).toBe(true);
    expect(fs.readdirSync(cwd)).not.toContain(".runs");
    expect(fs.readdirSync(cwd)).not.toContain("out");
  }

  it("walks up to the nearest codex.orchestrator.json, without `projects`", () => {
    const root = tempDir();
    writeFiles(root, {
      "codex.orchestrator.json": JSON.stringify({
        defaultPipeline: "quick",
        pipelines: [
          {
            id: "quick",
            title: "Quick",
            stages: [{ kind: "command", id: "ok", title: "Ok", command: "true" }],
          },
        ],
      }),
      "packages/schema/package.json": JSON.stringify({ name: "schema" }),
    });
    expectRunAt(root, "packages/schema", root);
    expect(fs.existsSync(path.join(root, ".runs"))).toBe(true);
  });

  it("else to the workspace root (package.json workspaces, pnpm-workspace.yaml)", () => {
    const npmRoot = tempDir();
    writeFiles(npmRoot, {
      "package.json": JSON.stringify({ name: "mono", workspaces: ["packages/*"] }),
      "packages/a/package.json": JSON.stringify({ name: "a", scripts: {} }),
    });
    expectRunAt(npmRoot, "packages/a/src", npmRoot);

    const pnpmRoot = tempDir();
    writeFiles(pnpmRoot, {
      "pnpm-workspace.yaml": "packages:\n  - packages/*\n",
      "package.json": JSON.stringify({ name: "mono" }),
      "packages/a/package.json": JSON.stringify({ name: "a" }),
    });
    expectRunAt(pnpmRoot, "packages/a", pnpmRoot);
  });

  it("else to the git top level; CODEX_ORCHESTRATOR_ROOT still wins", () => {
    const root = tempDir();
    initGitRepository(root);
    expectRunAt(root, "deep/down", root);

    const elsewhere = tempDir();
    const result = runCliJson<{ manifest: string }>(root, ["start"], {
      cwd: path.join(root, "deep/down"),
      env: { CODEX_ORCHESTRATOR_ROOT: elsewhere },
    });
    expect(fs.existsSync(path.join(elsewhere, result.json.manifest))).toBe(true);
  });
});

describe("clean summaries", () => {
  it("keeps escape codes out of manifest summaries and error files, and in the logs", () => {
    const root = tempDir();
    writeFiles(root, {
      "codex.orchestrator.json": JSON.stringify({
        pipelines: [
          {
            id: "colours",
            title: "Colours",
            continueOnFailure: true,
            stages: [
              {
                kind: "command",
                id: "green",
                title: "Green",
                command: "printf '\\033[32mall \\033[1mgood\\033[0m\\n'",
              },
              {
                kind: "command",
                id: "red",
                title: "Red",
                command:
                  "printf '50%%\\r\\033]8;;https://x.test\\007link\\033]8;;\\007 \\033[31mbroken\\033[0m\\n'; exit 3",
                needs: [],
              },
            ],
          },
        ],
      }),
    });
    const result = runCliJson<{ manifest: string; artifact_root: string }>(root, ["start", "colours"]);
    const manifest = manifestOf(root, result.json.manifest);
    expect(manifest.commands.map((entry) => entry.summary)).toEqual(["all good", "exit 3: link broken"]);
    const errorFile = fs.readFileSync(
      path.join(root, result.json.artifact_root, "errors/02-red.json"),
      "utf8",
    );
    expect(errorFile).toContain("link broken");
    expect(errorFile).not.toMatch(/\\u001b|\\u0007/);
    expect(JSON.stringify(manifest)).not.toMatch(/\\u001b/);
    const log = fs.readFileSync(
      path.join(root, result.json.artifact_root, "commands/01-green.ndjson"),
      "utf8",
    );
    expect(log).toContain("\\u001b[32m");
  });
});

describe("the .gitignore hint", () => {
  it("is printed once on stderr by a text start in a git repository that does not ignore .runs/ and out/", () => {
    const root = tempDir();
    initGitRepository(root);
    writeFiles(root, { "package.json": JSON.stringify({ name: "plain" }) });

    const text = runCli(root, ["start"]);
    const hints = text.stderr.split("\n").filter((line) => line.startsWith("hint:"));
    expect(hints).toEqual([
      "hint: .runs/ and out/ are not in .gitignore; `codex-orchestrator init` adds them",
    ]);

    const json = runCliJson(root, ["start"]);
    expect(json.stderr).not.toContain("hint:");

    writeFiles(root, { ".gitignore": "node_modules\n/.runs\nout/\n" });
    expect(runCli(root, ["start"]).stderr).not.toContain("hint:");
  });
});

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readJson, runCli, runCliJson } from "../helpers/cli.js";
import { initGitRepository } from "../helpers/git.js";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";

const FIND_ROOT = { CODEX_ORCHESTRATOR_ROOT: "" };

interface InitOutput {
  root: string;
  config_file: string;
  replaced: boolean;
  task_id: string;
  default_pipeline: string;
  stages: string[];
  gitignore_added: string[];
  next: string[];
}

/** A pnpm workspace: the root lints and tests, the packages build and test. */
function pnpmWorkspace(): string {
  const root = tempDir();
  initGitRepository(root);
  writeFiles(root, {
    "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n  - \"!packages/skipped\"\n",
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    "package.json": JSON.stringify({
      name: "@acme/shop",
      scripts: { lint: "echo lint", test: "echo root tests" },
    }),
    "packages/api/package.json": JSON.stringify({
      name: "@acme/api",
      scripts: { build: "echo api", typecheck: "true" },
    }),
    "packages/web/package.json": JSON.stringify({ name: "@acme/web", scripts: { build: "echo web" } }),
    "packages/skipped/package.json": JSON.stringify({ name: "@acme/skipped", scripts: { build: "false" } }),
    "packages/no-manifest/README.md": "not a package\n",
    ".gitignore": "node_modules\n",
  });
  return root;
}

describe("codex-orchestrator init", () => {
  it("writes a config suited to the workspace, adds .gitignore entries and says what to run next", () => {
    const root = pnpmWorkspace();
    const cwd = path.join(root, "packages/web");

    const result = runCli(root, ["init"], { cwd, env: FIND_ROOT });

    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Wrote ../../codex.orchestrator.json: task shop, default pipeline check");
    expect(result.stdout).toContain("codex-orchestrator plan");
    expect(result.stdout).toContain("codex-orchestrator start");
    expect(fs.existsSync(path.join(cwd, "codex.orchestrator.json"))).toBe(false);
    const config = readJson<Record<string, unknown>>(root, "codex.orchestrator.json");
    // The engine accepts what init wrote.
    expect(runCli(root, ["plan"]).status).toBe(0);
    expect(config).toEqual({
      $schema: "./node_modules/@codex/orchestrator-schema/schemas/config.schema.json",
      defaultPipeline: "check",
      projects: [{ taskId: "shop", path: ".", name: "@acme/shop" }],
      pipelines: [
        {
          id: "check",
          title: "Check",
          description: expect.stringContaining("pnpm") as unknown,
          extends: "diagnostics",
          before: [
            {
              kind: "command",
              id: "build-api",
              title: "Build @acme/api",
              command: "pnpm run build",
              cwd: "packages/api",
            },
            {
              kind: "command",
              id: "build-web",
              title: "Build @acme/web",
              command: "pnpm run build",
              cwd: "packages/web",
            },
            {
              kind: "command",
              id: "typecheck-api",
              title: "Typecheck @acme/api",
              command: "pnpm run typecheck",
              cwd: "packages/api",
            },
          ],
        },
      ],
    });
    expect(fs.readFileSync(path.join(root, ".gitignore"), "utf8")).toBe(
      "node_modules\n\n# codex-orchestrator: run evidence and state snapshots\n.runs/\nout/\n",
    );
  });

  it("leaves a repository ready to run: plan and start use the config it wrote, under its task", () => {
    const root = pnpmWorkspace();
    writeFiles(root, {
      // pnpm is not needed to prove the stages run: a stand-in on PATH answers `pnpm run <script>`.
      "bin/pnpm": '#!/bin/sh\n[ "$1" = run ] && exec npm run "$2"\nexit 2\n',
    });
    fs.chmodSync(path.join(root, "bin/pnpm"), 0o755);
    runCli(root, ["init"]);
    const env = { PATH: `${path.join(root, "bin")}${path.delimiter}${process.env.PATH ?? ""}` };

    const started = runCliJson<{ status: string; task_id: string; pipeline_id: string }>(root, ["start"], {
      env,
    });

    expect(started.json).toMatchObject({ status: "succeeded", task_id: "shop", pipeline_id: "check" });
    expect(started.stderr).not.toContain("hint:");
  });

  it("refuses to overwrite without --force (exit 2, nothing changed) and replaces with it", () => {
    const root = pnpmWorkspace();
    writeFiles(root, { "codex.orchestrator.json": '{ "pipelines": [] }\n' });

    const refused = runCli(root, ["init"]);

    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("already exists; nothing was changed (Pass --force to replace it.)");
    expect(fs.readFileSync(path.join(root, "codex.orchestrator.json"), "utf8")).toBe('{ "pipelines": [] }\n');
    expect(fs.readFileSync(path.join(root, ".gitignore"), "utf8")).toBe("node_modules\n");

    const forced = runCliJson<InitOutput>(root, ["init", "--force"]);
    expect(forced.status).toBe(0);
    expect(forced.json).toMatchObject({
      root,
      config_file: path.join(root, "codex.orchestrator.json"),
      replaced: true,
      task_id: "shop",
      default_pipeline: "check",
      stages: ["build-api", "build-web", "typecheck-api", "build", "lint", "test", "spec-guard"],
      gitignore_added: [".runs/", "out/"],
      next: ["codex-orchestrator plan", "codex-orchestrator start"],
    });
  });

  it("keeps the built-in default in a plain folder, and adds only what .gitignore lacks", () => {
    const root = tempDir("My Project-");
    writeFiles(root, { ".gitignore": "/.runs\n" });

    const result = runCliJson<InitOutput>(root, ["init"]);

    expect(result.json.default_pipeline).toBe("diagnostics");
    expect(result.json.task_id).toMatch(/^my-project-/);
    expect(result.json.gitignore_added).toEqual(["out/"]);
    expect(readJson(root, "codex.orchestrator.json")).toMatchObject({ pipelines: [] });
    expect(fs.readFileSync(path.join(root, ".gitignore"), "utf8")).toBe(
      "/.runs\n\n# codex-orchestrator: run evidence and state snapshots\nout/\n",
    );
  });
});

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";

// Packs the publishable packages the way a release does (pnpm rewrites `workspace:^` and applies
// publishConfig.exports), installs the tarballs into scratch projects outside the workspace with
// npm, and runs real code there. Slow: it packs five packages and runs two npm installs.

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const PACKAGES = ["schema", "persistence", "telemetry", "report", "core"] as const;
type PackageDir = (typeof PACKAGES)[number];
const PNPM = ["--yes", "pnpm@10.34.9"];

/** `process.env` minus anything that would steer a run or an install back into the workspace. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("CODEX_ORCHESTRATOR_") || key === "MCP_RUNNER_TASK_ID" || key === "NODE_OPTIONS")
      continue;
    if (key.toLowerCase().startsWith("npm_") || key.startsWith("VITEST") || key.startsWith("PNPM_")) continue;
    env[key] = value;
  }
  return env;
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 180_000) {
  const result = spawnSync(command, args, {
    cwd,
    env: cleanEnvironment(),
    encoding: "utf8",
    timeout: timeoutMs,
  });
  const output = `$ ${command} ${args.join(" ")} (in ${cwd})\n${result.stdout}\n${result.stderr}`;
  if (result.error !== undefined) throw new Error(`${output}\n${result.error.message}`);
  if (result.status !== 0) throw new Error(`exit ${result.status ?? result.signal}\n${output}`);
  return result;
}

function assertBuilt(): void {
  const missing = PACKAGES.map((name) => path.join(repoRoot, "packages", name, "dist", "index.js")).filter(
    (file) => !fs.existsSync(file),
  );
  if (missing.length > 0) {
    throw new Error(`Not built: ${missing.join(", ")}. Run \`pnpm build\` first (\`pnpm test\` does).`);
  }
}

function pack(name: PackageDir, destination: string): string {
  const directory = path.join(destination, name);
  fs.mkdirSync(directory, { recursive: true });
  run("npx", [...PNPM, "pack", "--pack-destination", directory], path.join(repoRoot, "packages", name));
  const tarballs = fs.readdirSync(directory).filter((file) => file.endsWith(".tgz"));
  if (tarballs.length !== 1)
    throw new Error(`expected one tarball for ${name}, found: ${tarballs.join(", ") || "none"}`);
  return path.join(directory, tarballs[0] as string);
}

function tarballEntries(tarball: string): string[] {
  return run("tar", ["-tzf", tarball], path.dirname(tarball))
    .stdout.split("\n")
    .filter((line) => line !== "");
}

function packedManifest(tarball: string): Record<string, unknown> {
  return JSON.parse(
    run("tar", ["-xzOf", tarball, "package/package.json"], path.dirname(tarball)).stdout,
  ) as Record<string, unknown>;
}

function scratchProject(directory: string, tarballs: readonly string[]): void {
  writeFiles(directory, {
    "package.json": `${JSON.stringify({ name: path.basename(directory), private: true, type: "module" })}\n`,
  });
  run("npm", ["install", ...tarballs, "--no-audit", "--no-fund", "--prefer-offline"], directory, 240_000);
}

const RUN_PIPELINE = `import { CodexOrchestrator } from "@codex/orchestrator-core";
import { planPipeline } from "@codex/orchestrator-core/plan";

const { output: plan } = await planPipeline({ root: process.cwd(), pipelineId: "smoke", taskId: "0101" });
const planned = plan.stages.map((stage) => stage.id);
const orchestrator = new CodexOrchestrator({ root: process.cwd() });
const finished = [];
orchestrator.on("stage:finished", (event) => finished.push(\`\${event.stageId}:\${event.status}\`));
const result = await orchestrator.start("smoke", { taskId: "0101" });
console.log(JSON.stringify({ planned, result, finished }));
process.exitCode = result.exitCode;
`;

const VALIDATE_MANIFEST = `import { readFileSync } from "node:fs";
import { validateManifest } from "@codex/orchestrator-schema";

const manifest = JSON.parse(readFileSync(process.argv[2], "utf8"));
const intact = validateManifest(manifest);
delete manifest.run_id;
const broken = validateManifest(manifest);
const schemaFile = new URL(import.meta.resolve("@codex/orchestrator-schema/schemas/manifest.schema.json"));
const schema = JSON.parse(readFileSync(schemaFile, "utf8"));
console.log(JSON.stringify({ intact, broken, schemaTitle: schema.title ?? null }));
`;

// Tagged slow: `pnpm test:fast` (SKIP_SLOW_TESTS=1) skips it; CI runs it.
describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")("packed packages", () => {
  it(
    "install from their tarballs outside the workspace, plan (through its own subpath) and run a pipeline; schema alone validates the manifest",
    { timeout: 300_000 },
    () => {
      assertBuilt();
      const scratch = tempDir("codex-orchestrator-pack-");
      const tarballs = Object.fromEntries(
        PACKAGES.map((name) => [name, pack(name, path.join(scratch, "tarballs"))]),
      ) as Record<PackageDir, string>;

      // Contents: dist (and the schema files), never src; dependencies rewritten, no source condition.
      for (const name of PACKAGES) {
        const entries = tarballEntries(tarballs[name]);
        expect(entries, name).toEqual(
          expect.arrayContaining([
            "package/package.json",
            "package/dist/index.js",
            "package/dist/index.d.ts",
          ]),
        );
        expect(
          entries.filter((entry) => entry.startsWith("package/src/") || entry.endsWith(".test.ts")),
          name,
        ).toEqual([]);
        const manifest = packedManifest(tarballs[name]);
        expect(JSON.stringify(manifest.dependencies ?? {}), name).not.toContain("workspace:");
        expect(JSON.stringify(manifest.exports), name).not.toContain("@codex/source");
        expect(JSON.stringify(manifest.exports), name).toContain("./dist/index.js");
      }
      expect(tarballEntries(tarballs.schema)).toEqual(
        expect.arrayContaining([
          "package/schemas/manifest.schema.json",
          "package/schemas/config.schema.json",
        ]),
      );
      expect(
        (packedManifest(tarballs.core).dependencies as Record<string, string>)["@codex/orchestrator-schema"],
      ).toMatch(/^\^\d+\.\d+\.\d+/);

      // A consumer project with the four tarballs runs a pipeline from its own codex.orchestrator.json.
      const app = path.join(scratch, "app");
      scratchProject(
        app,
        PACKAGES.map((name) => tarballs[name]),
      );
      const installedCore = fs.realpathSync(path.join(app, "node_modules/@codex/orchestrator-core"));
      expect(installedCore.startsWith(app)).toBe(true);
      writeFiles(app, {
        "codex.orchestrator.json": `${JSON.stringify({
          pipelines: [
            {
              id: "smoke",
              title: "Smoke",
              stages: [
                {
                  kind: "command",
                  id: "hello",
                  title: "Hello",
                  command: 'echo "hello from task $MCP_RUNNER_TASK_ID"',
                },
                {
                  kind: "command",
                  id: "spec-guard",
                  title: "Spec guard",
                  command: "bash scripts/spec-guard.sh --dry-run",
                },
              ],
            },
          ],
        })}\n`,
        "scripts/spec-guard.sh": '#!/usr/bin/env bash\necho "spec guard $*"\n',
        "run-pipeline.mjs": RUN_PIPELINE,
      });
      const ran = run(process.execPath, ["run-pipeline.mjs"], app);
      const { planned, result, finished } = JSON.parse(ran.stdout) as {
        planned: string[];
        result: { runId: string; status: string; manifest: string; exitCode: number };
        finished: string[];
      };
      expect(planned).toEqual(["hello", "spec-guard"]);
      expect(result.status).toBe("succeeded");
      expect(result.exitCode).toBe(0);
      expect(finished).toEqual(["hello:succeeded", "spec-guard:succeeded"]);
      expect(result.manifest).toBe(`.runs/0101/cli/${result.runId}/manifest.json`);
      const manifestPath = path.join(app, result.manifest);
      const helloLog = fs.readFileSync(
        path.join(app, `.runs/0101/cli/${result.runId}/commands/01-hello.ndjson`),
        "utf8",
      );
      expect(helloLog).toContain("hello from task 0101");

      // A reviewer tool installs only the schema package and validates that manifest.
      const reviewer = path.join(scratch, "reviewer");
      scratchProject(reviewer, [tarballs.schema]);
      expect(fs.readdirSync(path.join(reviewer, "node_modules/@codex"))).toEqual(["orchestrator-schema"]);
      expect(fs.readdirSync(path.join(reviewer, "node_modules")).sort()).toEqual([
        ".package-lock.json",
        "@codex",
        "zod",
      ]);
      writeFiles(reviewer, { "validate-manifest.mjs": VALIDATE_MANIFEST });
      const validated = JSON.parse(
        run(process.execPath, ["validate-manifest.mjs", manifestPath], reviewer).stdout,
      ) as {
        intact: { valid: boolean; errors: unknown[] };
        broken: { valid: boolean; errors: { path: string }[] };
        schemaTitle: string | null;
      };
      expect(validated.intact).toEqual({ valid: true, errors: [] });
      expect(validated.broken.valid).toBe(false);
      expect(validated.broken.errors.map((error) => error.path)).toContain("run_id");
      expect(validated.schemaTitle).not.toBeNull();
    },
  );
});

// The stage cache on this repository's own build-lint-test pipeline, beside turbo on the same copy.
//
// A copy of the repository's tracked files (git ls-files) in the bench's temp dir, installed from
// the local pnpm store (offline), becomes a workspace with a codex.orchestrator.json of its own:
// per package a build (tsup, needing the build of the package below it), a lint (eslint) and, for
// the packages whose tests are quick, a test (vitest), each declaring its inputs and outputs. It is
// run cold (empty cache), again with no change (target: ≤ 5% of the cold run), and once more after
// one source file of one package changed (target: exactly the stages that depend on it run).
// turbo runs the same tasks (package scripts, same inputs and outputs) the same three ways.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchDir, repoRoot } from "../lib/paths.mjs";
import { duration } from "../lib/report.mjs";
import { writeJson } from "../lib/temp-repo.mjs";
import { latestRunDir, timeStart } from "../lib/orchestrator.mjs";
import { round, timeOnce } from "../lib/timing.mjs";

// Bottom-up, as each package needs the one before it. `test`: the packages whose tests run here.
const PACKAGES = [
  { dir: "packages/schema", name: "schema", test: true },
  { dir: "packages/persistence", name: "persistence", test: true },
  { dir: "packages/telemetry", name: "telemetry", test: true },
  { dir: "packages/core", name: "core", test: false },
  { dir: "apps/cli", name: "cli", test: false },
];
const QUICK_PACKAGES = PACKAGES.slice(0, 3);
// The one source file changed in the third run, and the stages that depend on it.
const CHANGED = { pkg: "telemetry", file: "packages/telemetry/src/run-summary.ts" };
const QUICK_CHANGED = { pkg: "persistence", file: "packages/persistence/src/index.ts" };

const BUILD_INPUTS = ["src/**", "package.json", "tsup.config.ts", "tsconfig.json"];
const BIN = "../../node_modules/.bin";

function pipelineFor(packages) {
  const stages = [];
  packages.forEach((pkg, position) => {
    const build = `build-${pkg.name}`;
    stages.push({
      kind: "command",
      id: build,
      title: `Build ${pkg.name}`,
      command: `${BIN}/tsup`,
      cwd: pkg.dir,
      needs: position === 0 ? [] : [`build-${packages[position - 1].name}`],
      cache: { inputs: BUILD_INPUTS, outputs: ["dist/**"] },
    });
    stages.push({
      kind: "command",
      id: `lint-${pkg.name}`,
      title: `Lint ${pkg.name}`,
      command: `${BIN}/eslint src`,
      cwd: pkg.dir,
      needs: [],
      cache: { inputs: ["src/**"] },
    });
    if (pkg.test)
      stages.push({
        kind: "command",
        id: `test-${pkg.name}`,
        title: `Test ${pkg.name}`,
        command: `${BIN}/vitest run`,
        cwd: pkg.dir,
        needs: [build],
        cache: { inputs: ["src/**", "test/**", "vitest.config.ts"] },
      });
  });
  return { id: "ci", title: "Build, lint, test", stages };
}

// The stages a change to `pkg`'s sources makes run: its build and every build above it (they need
// it), its lint, and the tests of the packages whose build ran.
function expectedAfterChange(packages, pkg) {
  const from = packages.findIndex((candidate) => candidate.name === pkg);
  const rebuilt = packages.slice(from);
  return [
    ...rebuilt.map((candidate) => `build-${candidate.name}`),
    `lint-${pkg}`,
    ...rebuilt.filter((candidate) => candidate.test).map((candidate) => `test-${candidate.name}`),
  ].sort();
}

// pnpm as `pnpm bench` runs it, else the copy npx keeps; null when neither is found.
function findPnpm() {
  const fromEnv = process.env.npm_execpath;
  if (fromEnv !== undefined && /pnpm\.c?js$/.test(fromEnv) && fs.existsSync(fromEnv)) return fromEnv;
  const npx = path.join(os.homedir(), ".npm", "_npx");
  for (const name of fs.existsSync(npx) ? fs.readdirSync(npx) : []) {
    const candidate = path.join(npx, name, "node_modules", "pnpm", "bin", "pnpm.cjs");
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

function run(commandLine, args, options) {
  const result = spawnSync(commandLine, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0)
    throw new Error(
      `${commandLine} ${args.join(" ")} exited ${result.status}: ${(result.stderr || result.stdout || "").slice(-400)}`,
    );
  return result.stdout;
}

/** Copies the tracked files of this repository to `target` and installs it offline. */
function copyRepository(target, pnpm, env) {
  const files = run("git", ["ls-files", "-z"], { cwd: repoRoot }).split("\0").filter(Boolean);
  for (const file of files) {
    const from = path.join(repoRoot, file);
    const stat = fs.lstatSync(from, { throwIfNoEntry: false });
    if (stat === undefined || stat.isDirectory()) continue;
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(from, path.join(target, file));
  }
  run(process.execPath, [pnpm, "install", "--offline", "--frozen-lockfile"], { cwd: target, env });
  run("git", ["init", "-q"], { cwd: target });
  run("git", ["add", "-A"], { cwd: target });
  run("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-qm", "copy"], {
    cwd: target,
  });
}

/** Package scripts and turbo.json for the same tasks with the same inputs and outputs. */
function writeTurbo(root, packages) {
  for (const pkg of packages) {
    const file = path.join(root, pkg.dir, "package.json");
    const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
    manifest.scripts = {
      ...manifest.scripts,
      "bench:lint": "eslint src",
      ...(pkg.test ? { "bench:test": "vitest run" } : {}),
    };
    writeJson(file, manifest);
  }
  writeJson(path.join(root, "turbo.json"), {
    $schema: "https://turbo.build/schema.json",
    tasks: {
      build: { dependsOn: ["^build"], inputs: BUILD_INPUTS, outputs: ["dist/**"] },
      "bench:lint": { inputs: ["src/**"] },
      "bench:test": { dependsOn: ["build"], inputs: ["src/**", "test/**", "vitest.config.ts"] },
    },
  });
}

function ranStages(root) {
  const manifest = JSON.parse(fs.readFileSync(path.join(latestRunDir(root), "manifest.json"), "utf8"));
  return manifest.commands.filter((entry) => entry.cache?.hit !== true).map((entry) => entry.id);
}

export default {
  name: "cache",
  summary:
    "this repository's build-lint-test, twice unchanged: 2nd ≤ 5% of 1st; one file changed runs only its dependents; turbo beside",
  run(context) {
    const { quick, report, workDir, log } = context;
    const packages = quick ? QUICK_PACKAGES : PACKAGES;
    const changed = quick ? QUICK_CHANGED : CHANGED;
    const pnpm = findPnpm();
    if (pnpm === null) {
      report.fail(
        "cache: this repository's pipeline",
        "≤ 5%",
        new Error("pnpm not found (run through `pnpm bench`)"),
      );
      return;
    }
    const shims = path.join(workDir, "cache-shims");
    fs.mkdirSync(shims, { recursive: true });
    fs.writeFileSync(path.join(shims, "pnpm"), `#!/bin/sh\nexec "${process.execPath}" "${pnpm}" "$@"\n`, {
      mode: 0o755,
    });
    const env = { ...process.env, PATH: `${shims}${path.delimiter}${process.env.PATH}`, CI: "1" };

    const root = path.join(workDir, "cache-repo");
    log("  copying the repository and installing it offline…\n");
    copyRepository(root, pnpm, env);
    writeJson(path.join(root, "codex.orchestrator.json"), {
      defaultPipeline: "ci",
      pipelines: [pipelineFor(packages)],
    });
    writeTurbo(root, packages);
    const touch = () => fs.appendFileSync(path.join(root, changed.file), `\n// bench change ${Date.now()}\n`);
    const expected = expectedAfterChange(packages, changed.pkg);
    const options = { timeoutMs: 30 * 60 * 1000, env: { PATH: env.PATH } };

    const cold = timeStart(root, "ci", options);
    const warm = timeStart(root, "ci", options);
    const warmRan = ranStages(root);
    touch();
    const incremental = timeStart(root, "ci", options);
    const incrementalRan = ranStages(root).sort();
    const ratio = warm / cold;
    report.record({
      scenario: `cache: ${packages.length}-package build-lint-test, 2nd run unchanged`,
      baseline: `1st (cold): ${duration(cold)}`,
      ours: `2nd: ${duration(warm)}`,
      ratio: `${round(ratio * 100, 1)}% of the 1st (${warmRan.length} stages ran)`,
      target: "≤ 5%, none ran",
      pass: ratio <= 0.05 && warmRan.length === 0,
    });
    const exact = JSON.stringify(incrementalRan) === JSON.stringify(expected);
    report.record({
      scenario: `cache: one file of ${changed.pkg} changed`,
      baseline: `1st (cold): ${duration(cold)}`,
      ours: `${duration(incremental)}`,
      ratio: `ran ${incrementalRan.join(", ")}`,
      target: `exactly ${expected.join(", ")}`,
      pass: exact,
      ...(exact ? {} : { note: `expected ${expected.join(", ")}` }),
    });

    const turbo = path.join(benchDir, "node_modules", ".bin", "turbo");
    if (!fs.existsSync(turbo)) {
      report.record({
        scenario: "cache: turbo",
        ratio: "turbo is not installed",
        target: "comparison only",
        pass: null,
      });
      return;
    }
    const turboEnv = {
      ...env,
      TURBO_TELEMETRY_DISABLED: "1",
      DO_NOT_TRACK: "1",
      TURBO_NO_UPDATE_NOTIFIER: "1",
    };
    const tasks = ["build", "bench:lint", "bench:test"];
    const turboArgs = [
      "run",
      ...tasks,
      "--cache-dir",
      path.join(workDir, "turbo-cache"),
      "--no-daemon",
      "--output-logs=none",
      "--concurrency=2",
    ];
    const timeTurbo = () =>
      timeOnce(turbo, turboArgs, { cwd: root, env: turboEnv, timeoutMs: 30 * 60 * 1000 });
    try {
      // Same starting point: the builds' outputs removed, an empty turbo cache.
      for (const pkg of packages)
        fs.rmSync(path.join(root, pkg.dir, "dist"), { recursive: true, force: true });
      const turboCold = timeTurbo();
      const turboWarm = timeTurbo();
      touch();
      const turboIncremental = timeTurbo();
      report.record({
        scenario: "cache: turbo on the same workspace, 2nd run unchanged",
        baseline: `turbo 1st: ${duration(turboCold)}`,
        ours: `turbo 2nd: ${duration(turboWarm)}`,
        ratio: `${round((turboWarm / turboCold) * 100, 1)}% of its 1st; ours ${duration(warm)} vs turbo ${duration(turboWarm)}`,
        target: "comparison only",
        pass: null,
      });
      report.record({
        scenario: `cache: turbo, one file of ${changed.pkg} changed`,
        baseline: `ours: ${duration(incremental)}`,
        ours: `turbo: ${duration(turboIncremental)}`,
        ratio: `turbo takes ${round(turboIncremental / incremental, 2)}× ours`,
        target: "comparison only",
        pass: null,
      });
    } catch (error) {
      report.record({
        scenario: "cache: turbo",
        ratio: `turbo could not run here: ${error.message.slice(0, 300)}`,
        target: "comparison only",
        pass: null,
      });
    }
  },
};

#!/usr/bin/env node
// The benchmark suite (`pnpm bench`): every figure is measured against a baseline in the same run,
// several times, and reported as medians, because ratios hold on a noisy machine where absolute times
// do not. Prints a table, writes the results as JSON, and exits 1 when a target is missed.
//
//   node scripts/bench/run.mjs [--quick] [--only <scenario>[,<scenario>…]] [--out <file.json>]
//
// Peak memory comes from the operating system's own accounting of the orchestrator process:
// getrusage(RUSAGE_SELF).ru_maxrss (`process.resourceUsage().maxRSS`), read at exit by a preload
// (`--import ./rss-probe.mjs`) inside the orchestrator process, with /proc/self/status VmHWM as a
// cross-check where /proc exists. Stage commands are separate processes and are not counted.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const cli = path.join(repoRoot, "apps/cli/dist/bin.js");
const rssProbe = path.join(here, "rss-probe.mjs");

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string" },
    "keep-temp": { type: "boolean", default: false },
  },
});
const quick = flags.quick;
const only = flags.only === undefined ? null : new Set(flags.only.split(","));
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "codex-bench-"));
const outFile = flags.out === undefined ? path.join(workDir, "results.json") : path.resolve(flags.out);

if (!fs.existsSync(cli)) {
  process.stderr.write(
    `bench: ${path.relative(repoRoot, cli)} is missing; run \`pnpm run build\` first (pnpm bench does).\n`,
  );
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Measuring

function median(values) {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function round(value, digits = 2) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Runs a command to completion; returns its wall time in ms. Throws when it fails (unless allowed). */
function timeOnce(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", options.stdout ?? "ignore", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  const expected = options.expectStatus ?? 0;
  if (result.error !== undefined || (expected !== null && result.status !== expected)) {
    const stderr = result.stderr?.toString().slice(-2000) ?? "";
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status ?? result.signal}: ${result.error?.message ?? stderr}`,
    );
  }
  return elapsed;
}

/**
 * Times `pairs` (name → thunk) `runs` times each, interleaved so that drift in machine load hits
 * every side alike; one untimed warm-up round first. Returns name → { median, samples }.
 */
function measureInterleaved(pairs, runs, { warmup = 1 } = {}) {
  const samples = Object.fromEntries(Object.keys(pairs).map((name) => [name, []]));
  for (let round = 0; round < warmup; round += 1) for (const thunk of Object.values(pairs)) thunk();
  for (let round = 0; round < runs; round += 1) {
    for (const [name, thunk] of Object.entries(pairs)) samples[name].push(thunk());
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [
      name,
      { median: median(list), samples: list.map((value) => round(value)) },
    ]),
  );
}

/**
 * Runs `thunk` (untimed for the figures) until two runs in a row agree within `tolerance`, at most
 * `maxRounds` times: a scenario whose timings depend on the machine's memory state starts steady.
 */
function untilSteady(thunk, { tolerance = 0.15, maxRounds = 10 } = {}) {
  let previous = thunk();
  for (let round = 1; round < maxRounds; round += 1) {
    const current = thunk();
    if (Math.abs(current - previous) <= tolerance * Math.min(current, previous)) return;
    previous = current;
  }
}

// ---------------------------------------------------------------------------------------------
// Fixtures

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** A scratch repository with its own config and runs dir. */
function makeRepo(name, pipelines) {
  const root = path.join(workDir, name);
  fs.mkdirSync(root, { recursive: true });
  writeJson(path.join(root, "codex.orchestrator.json"), {
    defaultPipeline: pipelines[0]?.id ?? "diagnostics",
    pipelines,
  });
  return root;
}

function commandStages(count, command) {
  return Array.from({ length: count }, (_, index) => ({
    kind: "command",
    id: `s${index + 1}`,
    title: `Stage ${index + 1}`,
    command,
  }));
}

function orchestrator(root, args, options = {}) {
  return timeOnce(process.execPath, [...(options.nodeArgs ?? []), cli, ...args], {
    cwd: root,
    env: { CODEX_ORCHESTRATOR_ROOT: root, MCP_RUNNER_TASK_ID: "bench", ...options.env },
    expectStatus: options.expectStatus ?? 0,
  });
}

function startRun(root, pipeline, options = {}) {
  return orchestrator(root, ["start", pipeline, "--format", "json"], options);
}

/** Removes a repo's run history so that every timed run starts from the same state. */
function clearRuns(root) {
  fs.rmSync(path.join(root, ".runs"), { recursive: true, force: true });
  fs.rmSync(path.join(root, "out"), { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Scenarios. Each returns rows: { scenario, baseline, ours, result, target, pass, detail }.

const results = [];

function record(row) {
  results.push(row);
  const mark = row.pass === null ? "info" : row.pass ? "PASS" : "FAIL";
  process.stderr.write(`  ${mark}  ${row.scenario}: ${row.result} (target ${row.target})\n`);
}

const ms = (value) => `${round(value, 1)} ms`;
const sec = (value) => `${round(value / 1000, 2)} s`;

const scenarios = {
  version() {
    const runs = quick ? 7 : 21;
    const timed = measureInterleaved(
      {
        baseline: () => timeOnce(process.execPath, ["-e", "0"]),
        ours: () => timeOnce(process.execPath, [cli, "--version"]),
      },
      runs,
    );
    const ratio = timed.ours.median / timed.baseline.median;
    record({
      scenario: "codex-orchestrator --version",
      baseline: `node -e 0: ${ms(timed.baseline.median)}`,
      ours: ms(timed.ours.median),
      result: `${round(ratio)}×`,
      target: "≤ 1.5×",
      pass: ratio <= 1.5,
      raw: timed,
    });
  },

  plan() {
    const runs = quick ? 7 : 21;
    // A repository with its own config (one pipeline extending the built-in), as real projects have.
    const root = makeRepo("plan", [{ id: "ci", extends: "diagnostics", before: commandStages(2, "true") }]);
    const timed = measureInterleaved(
      {
        baseline: () => timeOnce(process.execPath, ["-e", "0"]),
        ours: () => orchestrator(root, ["plan", "diagnostics", "--format", "json"]),
      },
      runs,
    );
    const ratio = timed.ours.median / timed.baseline.median;
    record({
      scenario: "plan diagnostics --format json",
      baseline: `node -e 0: ${ms(timed.baseline.median)}`,
      ours: ms(timed.ours.median),
      result: `${round(ratio)}×`,
      target: "≤ 2×",
      pass: ratio <= 2,
      raw: timed,
    });
  },

  stages() {
    const runs = quick ? 3 : 7;
    const stageCount = 100;
    const root = makeRepo("stages", [
      { id: "hundred", title: "Hundred", stages: commandStages(stageCount, "true") },
    ]);
    const loopDir = path.join(workDir, "stages-loop");
    const loop = `mkdir -p "${loopDir}"; i=1; while [ $i -le ${stageCount} ]; do sh -c 'true' > "${loopDir}/$i.log" 2>&1 || exit 1; i=$((i+1)); done`;
    const timed = measureInterleaved(
      {
        baseline: () => timeOnce("sh", ["-c", loop]),
        ours: () => {
          clearRuns(root);
          return startRun(root, "hundred");
        },
      },
      runs,
    );
    const extra = (timed.ours.median - timed.baseline.median) / stageCount;
    record({
      scenario: "100 stages of `true`",
      baseline: `sh loop, output to files: ${ms(timed.baseline.median)}`,
      ours: ms(timed.ours.median),
      result: `+${round(extra)} ms/stage`,
      target: "≤ 2 ms extra per stage",
      pass: extra <= 2,
      raw: timed,
    });
  },

  output() {
    const runs = quick ? 1 : 5;
    const bytes = quick ? 50_000_000 : 200_000_000;
    const generator = `yes 'some line of text' | head -c ${bytes}`;
    const root = makeRepo("output", [
      {
        id: "big",
        title: "Big output",
        stages: [{ kind: "command", id: "print", title: "Print", command: generator }],
      },
    ]);
    const sink = path.join(workDir, "output-baseline.log");
    const rssFile = path.join(workDir, "output-rss.json");
    const peaks = [];
    // Both sides write fresh files: overwriting the last run's 200 MB would add its truncation.
    const baseline = () => {
      fs.rmSync(sink, { force: true });
      return timeOnce("sh", ["-c", `${generator} | cat > "${sink}"`]);
    };
    // Right after a build (pnpm bench builds first) writing 200 MB took 0.13 s or 0.3–0.5 s at
    // random, on either side, for a while: the machine settles its memory first.
    if (!quick) untilSteady(baseline);
    const timed = measureInterleaved(
      {
        baseline,
        ours: () => {
          clearRuns(root);
          fs.rmSync(rssFile, { force: true });
          const elapsed = startRun(root, "big", {
            nodeArgs: ["--import", rssProbe],
            env: { CODEX_BENCH_RSS_FILE: rssFile },
          });
          peaks.push(JSON.parse(fs.readFileSync(rssFile, "utf8")));
          return elapsed;
        },
      },
      runs,
      // One untimed round first, as elsewhere: the first 200 MB written after a clean-up can take
      // twice as long on either side while the kernel sets up its page cache.
      { warmup: quick ? 0 : 1 },
    );
    fs.rmSync(sink, { force: true });
    const ratio = timed.ours.median / timed.baseline.median;
    const peakKb = Math.max(...peaks.map((peak) => peak.maxRssKb));
    const peakMb = peakKb / 1024;
    const label = `one stage printing ${bytes / 1e6} MB`;
    record({
      scenario: `${label}: time`,
      baseline: `sh | cat > file: ${sec(timed.baseline.median)}`,
      ours: sec(timed.ours.median),
      result: `${round(ratio)}×`,
      target: "≤ 3×",
      pass: ratio <= 3,
      raw: timed,
    });
    record({
      scenario: `${label}: orchestrator peak RSS`,
      baseline: "-",
      ours: `${round(peakMb, 1)} MB`,
      result: `${round(peakMb, 1)} MB (VmHWM ${peaks.map((peak) => (peak.vmHwmKb === null ? "n/a" : `${round(peak.vmHwmKb / 1024, 1)}`)).join(", ")} MB)`,
      target: "< 150 MB",
      pass: peakMb < 150,
      raw: peaks,
    });
  },

  status() {
    const runs = quick ? 7 : 15;
    const total = 10_000;
    const { root: small, runIds: smallIds } = makeRunHistory("status-1", 1, { failedEvery: 0 });
    const { root: large, runIds: largeIds } = makeRunHistory("status-10k", total, { failedEvery: 0 });
    const smallTarget = smallIds[0];
    const largeTarget = largeIds[Math.floor(largeIds.length / 2)];
    const timed = measureInterleaved(
      {
        baseline: () => orchestrator(small, ["status", smallTarget, "--format", "json"]),
        ours: () => orchestrator(large, ["status", largeTarget, "--format", "json"]),
      },
      runs,
    );
    const ratio = timed.ours.median / timed.baseline.median;
    record({
      scenario: "status <id> with 10,000 runs on disk",
      baseline: `1 run on disk: ${ms(timed.baseline.median)}`,
      ours: ms(timed.ours.median),
      result: `${round(ratio)}×`,
      target: "≤ 1.2×",
      pass: ratio <= 1.2,
      raw: timed,
    });
  },

  runs() {
    const runs = quick ? 5 : 11;
    const total = 10_000;
    const { root } = makeRunHistory("runs-10k", total, { failedEvery: 10 });
    const indexFiles = () => fs.readdirSync(path.join(root, ".runs")).filter((name) => name.startsWith("."));
    const removeIndex = () => {
      for (const name of indexFiles())
        fs.rmSync(path.join(root, ".runs", name), { recursive: true, force: true });
    };
    const firstCalls = [];
    for (let round = 0; round < (quick ? 1 : 3); round += 1) {
      removeIndex();
      firstCalls.push(orchestrator(root, ["runs", "--status", "failed", "--format", "json"]));
    }
    const warm = measureInterleaved(
      { ours: () => orchestrator(root, ["runs", "--status", "failed", "--format", "json"]) },
      runs,
    );
    const first = median(firstCalls);
    record({
      scenario: "runs --status failed, 10,000 runs, first call (builds the index)",
      baseline: "-",
      ours: ms(first),
      result: ms(first),
      target: "report only",
      pass: null,
      raw: firstCalls,
    });
    record({
      scenario: "runs --status failed, 10,000 runs, warm",
      baseline: "-",
      ours: ms(warm.ours.median),
      result: ms(warm.ours.median),
      target: "< 300 ms",
      pass: warm.ours.median < 300,
      raw: warm,
    });
  },

  concurrent() {
    const runs = quick ? 1 : 3;
    const pipelines = 20;
    const root = makeRepo("concurrent", [{ id: "ten", title: "Ten", stages: commandStages(10, "true") }]);
    const args = [cli, "start", "ten", "--format", "json"];
    const env = { ...process.env, NO_COLOR: "1", CODEX_ORCHESTRATOR_ROOT: root, MCP_RUNNER_TASK_ID: "bench" };
    const sequential = () => {
      clearRuns(root);
      const started = process.hrtime.bigint();
      for (let index = 0; index < pipelines; index += 1) timeOnce(process.execPath, args, { cwd: root, env });
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const concurrent = () => {
      clearRuns(root);
      return timeConcurrent(process.execPath, args, pipelines, { cwd: root, env });
    };
    const timed = { sequential: { samples: [] }, concurrent: { samples: [] } };
    for (let round = 0; round < runs; round += 1) {
      timed.sequential.samples.push(sequential());
      timed.concurrent.samples.push(concurrent());
    }
    for (const side of Object.values(timed)) side.median = median(side.samples);
    // Every concurrent run must have finished and been recorded exactly once.
    const metrics = fs
      .readFileSync(path.join(root, ".runs", "bench", "metrics.json"), "utf8")
      .trim()
      .split("\n");
    const ratio = timed.concurrent.median / timed.sequential.median;
    record({
      scenario: "20 pipelines × 10 stages, concurrent",
      baseline: `one after another: ${sec(timed.sequential.median)}`,
      ours: sec(timed.concurrent.median),
      result: `${round(ratio)}× of sequential, ${metrics.length}/${pipelines} metrics lines`,
      target: "faster than sequential",
      pass: ratio < 1 && metrics.length === pipelines,
      raw: timed,
    });
  },

  async heartbeat() {
    const burnSeconds = quick ? 12 : 20;
    const burn = `node -e "const end = Date.now() + ${burnSeconds * 1000}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);"`;
    const root = makeRepo("heartbeat", [
      {
        id: "burn",
        title: "Burn",
        stages: [{ kind: "command", id: "burn", title: "Burn CPU", command: burn }],
      },
    ]);
    clearRuns(root);
    const beats = [];
    const child = spawn(process.execPath, [cli, "start", "burn", "--format", "json"], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", CODEX_ORCHESTRATOR_ROOT: root, MCP_RUNNER_TASK_ID: "bench" },
      stdio: ["ignore", "ignore", "ignore"],
    });
    const startedAt = Date.now();
    let last = null;
    const sampler = setInterval(() => {
      const heartbeat = findHeartbeat(root);
      if (heartbeat === null) return;
      let text;
      try {
        text = fs.readFileSync(heartbeat, "utf8").trim();
      } catch {
        return;
      }
      if (text !== "" && text !== last) {
        last = text;
        beats.push({ seenAt: Date.now(), beat: Date.parse(text) });
      }
    }, 150);
    const exitCode = await new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    clearInterval(sampler);
    const times = beats.map((entry) => entry.beat).filter(Number.isFinite);
    const gaps = times.slice(1).map((time, index) => time - times[index]);
    const maxGap = gaps.length === 0 ? Infinity : Math.max(...gaps);
    record({
      scenario: `heartbeat during a ${burnSeconds} s CPU-bound stage`,
      baseline: "-",
      ours: `${beats.length} beats over ${sec(Date.now() - startedAt)}`,
      result: `max gap ${sec(maxGap)}`,
      target: "no gap > 6 s",
      pass: exitCode === 0 && gaps.length >= 2 && maxGap <= 6000,
      raw: { beats, gaps, exitCode },
    });
  },
  // Last: its hundreds of npm and turbo processes churn memory, which made the timings of the
  // scenarios after it (the 200 MB one most of all) erratic in our runs.
  compare() {
    // The same 100 `true` commands through the orchestrator, `npm run` (one script per stage) and
    // turbo (one task per stage, chained with dependsOn, cache off), in the same run.
    const runs = quick ? 1 : 3;
    const stageCount = 100;
    const root = makeRepo("compare", [
      { id: "hundred", title: "Hundred", stages: commandStages(stageCount, "true") },
    ]);
    const scripts = Object.fromEntries(
      Array.from({ length: stageCount }, (_, index) => [`s${index + 1}`, "true"]),
    );
    writeJson(path.join(root, "package.json"), {
      name: "bench-compare",
      private: true,
      version: "0.0.0",
      packageManager: "npm@10.8.2",
      workspaces: [],
      scripts,
    });
    const npmLoop = Array.from({ length: stageCount }, (_, index) => `npm run --silent s${index + 1}`).join(
      " && ",
    );
    const pairs = {
      orchestrator: () => {
        clearRuns(root);
        return startRun(root, "hundred");
      },
      npmRun: () => timeOnce("sh", ["-c", npmLoop], { cwd: root }),
    };
    const turbo = findTurbo();
    let turboNote = turbo.note;
    if (turbo.bin !== null) {
      const tasks = Object.fromEntries(
        Array.from({ length: stageCount }, (_, index) => [
          `s${index + 1}`,
          { cache: false, ...(index === 0 ? {} : { dependsOn: [`s${index}`] }) },
        ]),
      );
      writeJson(path.join(root, "turbo.json"), { $schema: "https://turbo.build/schema.json", tasks });
      fs.writeFileSync(
        path.join(root, "package-lock.json"),
        JSON.stringify({
          name: "bench-compare",
          lockfileVersion: 3,
          requires: true,
          packages: { "": { name: "bench-compare", version: "0.0.0" } },
        }),
      );
      const turboArgs = [
        "run",
        `s${stageCount}`,
        "--output-logs=none",
        "--no-daemon",
        "--concurrency=1",
        "--log-order=stream",
      ];
      const turboEnv = { TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", TURBO_NO_UPDATE_NOTIFIER: "1" };
      try {
        timeOnce(turbo.bin, turboArgs, { cwd: root, env: turboEnv });
        pairs.turbo = () => timeOnce(turbo.bin, turboArgs, { cwd: root, env: turboEnv });
      } catch (error) {
        turboNote = `turbo ${turbo.version} could not run here: ${error.message.split("\n")[0].slice(0, 200)}`;
      }
    }
    const timed = measureInterleaved(pairs, runs, { warmup: 0 });
    const ours = timed.orchestrator.median;
    const npmRatio = timed.npmRun.median / ours;
    record({
      scenario: "100 stages: npm run (script per stage)",
      baseline: `orchestrator: ${ms(ours)}`,
      ours: `npm run: ${ms(timed.npmRun.median)}`,
      result: `npm run takes ${round(npmRatio, 1)}× the orchestrator`,
      target: "comparison only",
      pass: null,
      raw: timed,
    });
    if (timed.turbo !== undefined) {
      const turboRatio = timed.turbo.median / ours;
      record({
        scenario: `100 stages: turbo ${turbo.version} (task per stage, no cache)`,
        baseline: `orchestrator: ${ms(ours)}`,
        ours: `turbo: ${ms(timed.turbo.median)}`,
        result: `turbo takes ${round(turboRatio, 1)}× the orchestrator`,
        target: "comparison only",
        pass: null,
        raw: timed,
      });
    } else {
      record({
        scenario: "100 stages: turbo",
        baseline: "-",
        ours: "-",
        result: turboNote,
        target: "comparison only",
        pass: null,
      });
    }
  },
};

function timeConcurrent(command, args, count, options) {
  const started = process.hrtime.bigint();
  const script = `
    const { spawn } = require("node:child_process");
    const [command, count, ...args] = JSON.parse(process.argv[1]);
    let left = count, failed = 0;
    for (let i = 0; i < count; i++) {
      spawn(command, args, { stdio: "ignore" }).on("exit", (code) => { if (code !== 0) failed++; if (--left === 0) process.exit(failed === 0 ? 0 : 1); });
    }`;
  // One helper process fans out and waits, so the timing is a plain blocking call like the others.
  const result = spawnSync(process.execPath, ["-e", script, JSON.stringify([command, count, ...args])], {
    cwd: options.cwd,
    env: options.env,
    stdio: "ignore",
  });
  if (result.status !== 0) throw new Error("a concurrent pipeline failed");
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function findHeartbeat(root) {
  const runsDir = path.join(root, ".runs", "bench", "cli");
  let names;
  try {
    names = fs.readdirSync(runsDir);
  } catch {
    return null;
  }
  return names.length === 0 ? null : path.join(runsDir, names.sort()[names.length - 1], ".heartbeat");
}

function findTurbo() {
  const bin = path.join(here, "node_modules", ".bin", "turbo");
  if (!fs.existsSync(bin))
    return {
      bin: null,
      version: null,
      note: "turbo is not installed (scripts/bench/node_modules); run `pnpm install`",
    };
  const result = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (result.status !== 0)
    return {
      bin: null,
      version: null,
      note: `turbo's binary does not run here: ${(result.stderr || String(result.error)).trim().slice(0, 200)}`,
    };
  return { bin, version: result.stdout.trim(), note: "" };
}

/**
 * A repository with `count` finished runs, written directly as valid manifests (cloned from one
 * real run, so they match the schema the CLI reads), spread over 20 tasks.
 */
function makeRunHistory(name, count, { failedEvery }) {
  const root = makeRepo(name, [{ id: "one", title: "One", stages: commandStages(1, "true") }]);
  clearRuns(root);
  startRun(root, "one");
  const taskDir = path.join(root, ".runs", "bench", "cli");
  const [templateId] = fs.readdirSync(taskDir);
  const template = JSON.parse(fs.readFileSync(path.join(taskDir, templateId, "manifest.json"), "utf8"));
  clearRuns(root);
  const base = Date.parse("2025-01-01T00:00:00.000Z");
  const runIds = [];
  const tasks = count === 1 ? 1 : 20;
  for (let index = 0; index < count; index += 1) {
    const started = new Date(base + index * 60_000);
    const runId = `${started.toISOString().replace(/[:.]/g, "-")}-${index.toString(16).padStart(8, "0")}`;
    const taskId = `task-${String(index % tasks).padStart(2, "0")}`;
    const artifactRoot = `.runs/${taskId}/cli/${runId}`;
    const failed = failedEvery > 0 && index % failedEvery === 0;
    const swap = (text) =>
      typeof text === "string"
        ? text.split(template.run_id).join(runId).split(template.artifact_root).join(artifactRoot)
        : text;
    const manifest = {
      ...template,
      task_id: taskId,
      run_id: runId,
      status: failed ? "failed" : "succeeded",
      status_detail: failed ? "stage:s1:failed" : null,
      started_at: started.toISOString(),
      updated_at: new Date(started.getTime() + 1500).toISOString(),
      completed_at: new Date(started.getTime() + 1500).toISOString(),
      heartbeat_at: new Date(started.getTime() + 1500).toISOString(),
      artifact_root: artifactRoot,
      compat_path: `.runs/${taskId}/mcp/${runId}/manifest.json`,
      log_path: `${artifactRoot}/runner.ndjson`,
      run_summary_path: swap(template.run_summary_path),
      commands: template.commands.map((entry) => ({
        ...entry,
        log_path: swap(entry.log_path),
        status: failed ? "failed" : entry.status,
        exit_code: failed ? 1 : entry.exit_code,
      })),
    };
    const dir = path.join(root, ".runs", taskId, "cli", runId);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    runIds.push(runId);
  }
  return { root, runIds };
}

// ---------------------------------------------------------------------------------------------

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  memoryGb: round(os.totalmem() / 1024 ** 3, 1),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  loadAverage: os.loadavg().map((value) => round(value)),
};
process.stderr.write(
  `codex-orchestrator benchmark${quick ? " (quick)" : ""}: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}, load ${machine.loadAverage.join(" ")}\n`,
);

const names = Object.keys(scenarios).filter((name) => only === null || only.has(name));
if (only !== null) {
  const unknown = [...only].filter((name) => !(name in scenarios));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown scenario ${unknown.join(", ")} (known: ${Object.keys(scenarios).join(", ")})\n`,
    );
    process.exit(2);
  }
}
let crashed = false;
for (const name of names) {
  process.stderr.write(`• ${name}\n`);
  try {
    await scenarios[name]();
  } catch (error) {
    crashed = true;
    record({
      scenario: name,
      baseline: "-",
      ours: "-",
      result: `error: ${error.message.slice(0, 300)}`,
      target: "runs",
      pass: false,
    });
  }
}

const table = [["scenario", "baseline (same run)", "ours", "ratio / extra", "target", "result"]];
for (const row of results)
  table.push([
    row.scenario,
    row.baseline,
    row.ours,
    row.result,
    row.target,
    row.pass === null ? "info" : row.pass ? "PASS" : "FAIL",
  ]);
const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |`;
process.stdout.write(
  `\n${line(table[0])}\n|${widths.map((width) => "-".repeat(width + 2)).join("|")}|\n${table.slice(1).map(line).join("\n")}\n`,
);

const failed = results.filter((row) => row.pass === false);
writeJson(outFile, { date: new Date().toISOString(), quick, machine, results });
process.stdout.write(
  `\nResults: ${outFile}\n${failed.length === 0 ? "All targets met." : `${failed.length} target(s) missed.`}\n`,
);
if (!flags["keep-temp"]) {
  for (const entry of fs.readdirSync(workDir))
    if (path.join(workDir, entry) !== outFile)
      fs.rmSync(path.join(workDir, entry), { recursive: true, force: true });
}
process.exitCode = failed.length === 0 && !crashed ? 0 : 1;

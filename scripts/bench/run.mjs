#!/usr/bin/env node
// The benchmark suite (`pnpm bench`): every figure is measured against a baseline in the same run,
// several times, and reported as medians, because ratios hold on a noisy machine where absolute
// times do not. One file per scenario in scenarios/, shared helpers in lib/. Prints a table, writes
// the results as JSON, and exits 1 when a target is missed or a measurement could not be taken.
//
//   node scripts/bench/run.mjs [--only <scenario>[,<scenario>…]] [--quick] [--out <file.json>] [--keep-temp]
//
// Everything runs the BUILT CLI (apps/cli/dist/bin.js) in scratch repositories under the OS temp dir.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { cli, repoRoot } from "./lib/paths.mjs";
import { createReport } from "./lib/report.mjs";
import { writeJson } from "./lib/temp-repo.mjs";
import { round } from "./lib/timing.mjs";
import startup from "./scenarios/startup.mjs";
import graph from "./scenarios/graph.mjs";
import stages from "./scenarios/stages.mjs";
import output from "./scenarios/output.mjs";
import status from "./scenarios/status.mjs";
import runs from "./scenarios/runs.mjs";
import concurrent from "./scenarios/concurrent.mjs";
import heartbeat from "./scenarios/heartbeat.mjs";
import compare from "./scenarios/compare.mjs";
import evidence from "./scenarios/evidence.mjs";
import reportScenario from "./scenarios/report.mjs";
import cache from "./scenarios/cache.mjs";
import distributed from "./scenarios/distributed.mjs";

// In the order they run. compare stays last: its process churn made the timings after it erratic.
const SCENARIOS = [
  startup,
  graph,
  stages,
  output,
  status,
  runs,
  concurrent,
  heartbeat,
  evidence,
  reportScenario,
  cache,
  distributed,
  compare,
];

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string" },
    "keep-temp": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (flags.help) {
  process.stdout.write(
    `node scripts/bench/run.mjs [--only a,b] [--quick] [--out results.json] [--keep-temp]\n\n` +
      `  --quick      fewer runs, 50 MB instead of 200 MB, 12 s burn, no 10,000-stage run\n\n` +
      SCENARIOS.map((scenario) => `  ${scenario.name.padEnd(11)} ${scenario.summary}`).join("\n") +
      "\n",
  );
  process.exit(0);
}

const known = new Set(SCENARIOS.map((scenario) => scenario.name));
const only = flags.only === undefined ? null : flags.only.split(",").filter((name) => name !== "");
const unknown = (only ?? []).filter((name) => !known.has(name));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown scenario ${unknown.join(", ")} (known: ${[...known].join(", ")})\n`);
  process.exit(2);
}
if (!fs.existsSync(cli)) {
  process.stderr.write(
    `bench: ${path.relative(repoRoot, cli)} is missing; run \`pnpm run build\` first (pnpm bench does).\n`,
  );
  process.exit(2);
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "codex-bench-"));
const outFile = flags.out === undefined ? path.join(workDir, "results.json") : path.resolve(flags.out);
const log = (text) => process.stderr.write(text);
const report = createReport({ log });
const context = { quick: flags.quick, workDir, report, log };

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  memoryGb: round(os.totalmem() / 1024 ** 3, 1),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  loadAverage: os.loadavg().map((value) => round(value)),
};
log(
  `codex-orchestrator benchmark${flags.quick ? " (quick)" : ""}: ${machine.cpus} × ${machine.cpuModel}, ` +
    `${machine.memoryGb} GB, node ${machine.node}, load ${machine.loadAverage.join(" ")}\n`,
);

for (const scenario of SCENARIOS.filter(({ name }) => only === null || only.includes(name))) {
  log(`• ${scenario.name}: ${scenario.summary}\n`);
  const started = Date.now();
  // A scenario records its own FAIL rows for measurements it could not take; anything else it
  // throws becomes one FAIL row here, and the next scenario runs.
  await report.attempt(scenario.name, "runs", () => scenario.run(context));
  log(`  (${round((Date.now() - started) / 1000, 1)} s)\n`);
}

process.stdout.write(`\n${report.table()}\n`);
const missed = report.missed();
writeJson(outFile, { date: new Date().toISOString(), quick: flags.quick, machine, results: report.rows });
process.stdout.write(
  `\nResults: ${outFile}\n${missed.length === 0 ? "All targets met." : `${missed.length} target(s) missed.`}\n`,
);
if (!flags["keep-temp"]) {
  if (flags.out !== undefined) fs.rmSync(workDir, { recursive: true, force: true });
  else
    for (const entry of fs.readdirSync(workDir))
      if (path.join(workDir, entry) !== outFile)
        fs.rmSync(path.join(workDir, entry), { recursive: true, force: true });
}
process.exitCode = missed.length === 0 ? 0 : 1;

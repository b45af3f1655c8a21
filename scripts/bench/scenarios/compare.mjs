// The same 100 `true` commands through the orchestrator, `npm run` (one script per stage) and turbo
// (one task per stage, chained with dependsOn, cache off), in the same run. Comparison only.
//
// Runs last: its hundreds of npm and turbo processes churn memory, which made the timings of the
// scenarios after it (the 200 MB one most of all) erratic.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { benchDir } from "../lib/paths.mjs";
import { duration } from "../lib/report.mjs";
import { clearRuns, commandStages, createTempRepo, writeJson } from "../lib/temp-repo.mjs";
import { timeStart } from "../lib/orchestrator.mjs";
import { measureInterleaved, round, timeOnce } from "../lib/timing.mjs";

const STAGES = 100;

function findTurbo() {
  const bin = path.join(benchDir, "node_modules", ".bin", "turbo");
  if (!fs.existsSync(bin))
    return { bin: null, note: "turbo is not installed (scripts/bench/node_modules); run `pnpm install`" };
  const result = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (result.status !== 0)
    return {
      bin: null,
      note: `turbo's binary does not run here: ${(result.stderr || String(result.error)).trim().slice(0, 200)}`,
    };
  return { bin, version: result.stdout.trim(), note: "" };
}

/** Sets `root` up as an npm package with one script per stage and a turbo task per script. */
function writeNpmAndTurbo(root) {
  writeJson(path.join(root, "package.json"), {
    name: "bench-compare",
    private: true,
    version: "0.0.0",
    packageManager: "npm@10.8.2",
    workspaces: [],
    scripts: Object.fromEntries(Array.from({ length: STAGES }, (_, index) => [`s${index + 1}`, "true"])),
  });
  const tasks = Object.fromEntries(
    Array.from({ length: STAGES }, (_, index) => [
      `s${index + 1}`,
      { cache: false, ...(index === 0 ? {} : { dependsOn: [`s${index}`] }) },
    ]),
  );
  writeJson(path.join(root, "turbo.json"), { $schema: "https://turbo.build/schema.json", tasks });
  writeJson(path.join(root, "package-lock.json"), {
    name: "bench-compare",
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name: "bench-compare", version: "0.0.0" } },
  });
}

export default {
  name: "compare",
  summary: "100 stages against npm run and turbo (comparison only)",
  run(context) {
    const { quick, report } = context;
    const runs = quick ? 1 : 3;
    const root = createTempRepo(context, "compare", [
      { id: "hundred", title: "Hundred", stages: commandStages(STAGES, "true") },
    ]);
    writeNpmAndTurbo(root);
    const npmLoop = Array.from({ length: STAGES }, (_, index) => `npm run --silent s${index + 1}`).join(
      " && ",
    );
    const sides = {
      orchestrator: () => {
        clearRuns(root);
        return timeStart(root, "hundred");
      },
      npmRun: () => timeOnce("sh", ["-c", npmLoop], { cwd: root }),
    };
    const turbo = findTurbo();
    let turboNote = turbo.note;
    if (turbo.bin !== null) {
      const turboArgs = [
        "run",
        `s${STAGES}`,
        "--output-logs=none",
        "--no-daemon",
        "--concurrency=1",
        "--log-order=stream",
      ];
      const env = {
        ...process.env,
        TURBO_TELEMETRY_DISABLED: "1",
        DO_NOT_TRACK: "1",
        TURBO_NO_UPDATE_NOTIFIER: "1",
      };
      try {
        timeOnce(turbo.bin, turboArgs, { cwd: root, env });
        sides.turbo = () => timeOnce(turbo.bin, turboArgs, { cwd: root, env });
      } catch (error) {
        turboNote = `turbo ${turbo.version} could not run here: ${error.message.slice(0, 200)}`;
      }
    }
    const timed = measureInterleaved(sides, runs, { warmup: 0 });
    const ours = timed.orchestrator.median;
    report.record({
      scenario: "100 stages: npm run (script per stage)",
      baseline: `orchestrator: ${duration(ours)}`,
      ours: `npm run: ${duration(timed.npmRun.median)}`,
      ratio: `npm run takes ${round(timed.npmRun.median / ours, 1)}×`,
      target: "comparison only",
      pass: null,
      note: `median of ${runs}`,
      raw: timed,
    });
    if (timed.turbo === undefined) {
      report.record({
        scenario: "100 stages: turbo",
        ratio: turboNote,
        target: "comparison only",
        pass: null,
      });
      return;
    }
    report.record({
      scenario: `100 stages: turbo ${turbo.version} (task per stage, no cache)`,
      baseline: `orchestrator: ${duration(ours)}`,
      ours: `turbo: ${duration(timed.turbo.median)}`,
      ratio: `turbo takes ${round(timed.turbo.median / ours, 1)}×`,
      target: "comparison only",
      pass: null,
      note: `median of ${runs}`,
      raw: timed,
    });
  },
};

// 20 runs of a 10-stage pipeline started at once in one repository, against the same 20 one after
// another: all must finish, each recorded once in the task's metrics.json, faster than in sequence.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cli } from "../lib/paths.mjs";
import { sec, times } from "../lib/report.mjs";
import { clearRuns, commandStages, createTempRepo } from "../lib/temp-repo.mjs";
import { TASK_ID, orchestratorEnv, startArgs } from "../lib/orchestrator.mjs";
import { median, timeOnce } from "../lib/timing.mjs";

const PIPELINES = 20;

/** Starts `count` copies of a command at once through one helper process, and waits for all. */
function timeConcurrent(command, args, count, options) {
  const started = process.hrtime.bigint();
  const script = `
    const { spawn } = require("node:child_process");
    const [command, count, ...args] = JSON.parse(process.argv[1]);
    let left = count, failed = 0;
    for (let i = 0; i < count; i++) {
      spawn(command, args, { stdio: "ignore" }).on("exit", (code) => { if (code !== 0) failed++; if (--left === 0) process.exit(failed === 0 ? 0 : 1); });
    }`;
  const result = spawnSync(process.execPath, ["-e", script, JSON.stringify([command, count, ...args])], {
    cwd: options.cwd,
    env: options.env,
    stdio: "ignore",
  });
  if (result.status !== 0) throw new Error("a concurrent run failed");
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export default {
  name: "concurrent",
  summary: "20 runs of 10 stages started at once: faster than one after another, all recorded",
  run(context) {
    const { quick, report } = context;
    const rounds = quick ? 1 : 3;
    const root = createTempRepo(context, "concurrent", [
      { id: "ten", title: "Ten", stages: commandStages(10, "true") },
    ]);
    const args = [cli, ...startArgs("ten")];
    const options = { cwd: root, env: orchestratorEnv(root) };
    const sequential = () => {
      clearRuns(root);
      const started = process.hrtime.bigint();
      for (let index = 0; index < PIPELINES; index += 1) timeOnce(process.execPath, args, options);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const concurrent = () => {
      clearRuns(root);
      return timeConcurrent(process.execPath, args, PIPELINES, options);
    };
    const samples = { sequential: [], concurrent: [] };
    for (let round = 0; round < rounds; round += 1) {
      samples.sequential.push(sequential());
      samples.concurrent.push(concurrent());
    }
    const metrics = fs
      .readFileSync(path.join(root, ".runs", TASK_ID, "metrics.json"), "utf8")
      .trim()
      .split("\n");
    const ratio = median(samples.concurrent) / median(samples.sequential);
    report.record({
      scenario: `${PIPELINES} runs × 10 stages, started at once`,
      baseline: `one after another: ${sec(median(samples.sequential))}`,
      ours: sec(median(samples.concurrent)),
      ratio: `${times(ratio)}, ${metrics.length}/${PIPELINES} metrics lines`,
      target: "faster than sequential",
      pass: ratio < 1 && metrics.length === PIPELINES,
      note: `median of ${rounds}`,
      raw: samples,
    });
  },
};

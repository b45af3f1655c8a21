// Heartbeat under load: 8 stages burning CPU at once (`needs: []`, --concurrency 8) saturate every
// core; the bench polls the run's `.heartbeat` (and the manifest's `heartbeat_at`) every 150 ms and
// reports the gaps between the beats it saw.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cli } from "../lib/paths.mjs";
import { sec } from "../lib/report.mjs";
import { clearRuns, commandStages, createTempRepo } from "../lib/temp-repo.mjs";
import { latestRunDir, orchestratorEnv, startArgs } from "../lib/orchestrator.mjs";
import { lastLines } from "../lib/timing.mjs";

const STAGES = 8;
const MAX_GAP_MS = 6000;

function readTimestamp(file, pick) {
  try {
    const text = fs.readFileSync(file, "utf8");
    const value = Date.parse(pick(text));
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

function gapsOf(beats) {
  return beats.slice(1).map((beat, index) => beat - beats[index]);
}

export default {
  name: "heartbeat",
  summary: "no gap > 6 s between heartbeats while 8 CPU-bound stages run at once",
  async run(context) {
    const { quick, report } = context;
    const burnSeconds = quick ? 12 : 18;
    const burn = `node -e 'const e=Date.now()+${burnSeconds * 1000}; while(Date.now()<e){}'`;
    const root = createTempRepo(context, "heartbeat", [
      { id: "burn", title: "Burn", stages: commandStages(STAGES, burn, { needs: [] }) },
    ]);
    clearRuns(root);
    const scenario = `heartbeat, ${STAGES} stages burning CPU ${burnSeconds} s at once (--concurrency ${STAGES})`;
    const target = `no gap > ${sec(MAX_GAP_MS)}`;

    const child = spawn(process.execPath, [cli, ...startArgs("burn", ["--concurrency", String(STAGES)])], {
      cwd: root,
      env: orchestratorEnv(root),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output = (output + chunk).slice(-4000)));
    child.stderr.on("data", (chunk) => (output = (output + chunk).slice(-4000)));
    const startedAt = Date.now();
    const seen = { heartbeat: [], manifest: [] };
    const note = (list, value) => {
      if (value !== null && list[list.length - 1] !== value) list.push(value);
    };
    const sampler = setInterval(() => {
      const runDir = latestRunDir(root);
      if (runDir === null) return;
      note(
        seen.heartbeat,
        readTimestamp(path.join(runDir, ".heartbeat"), (text) => text.trim()),
      );
      note(
        seen.manifest,
        readTimestamp(path.join(runDir, "manifest.json"), (text) => JSON.parse(text).heartbeat_at ?? ""),
      );
    }, 150);
    const exitCode = await new Promise((resolve) => child.on("close", (code) => resolve(code)));
    clearInterval(sampler);
    const wallMs = Date.now() - startedAt;

    if (exitCode !== 0) {
      report.fail(
        scenario,
        target,
        new Error(`start exited ${exitCode}: ${lastLines(output) || "no output"}`),
      );
      return;
    }
    const gaps = gapsOf(seen.heartbeat);
    const maxGap = gaps.length === 0 ? Infinity : Math.max(...gaps);
    const manifestGaps = gapsOf(seen.manifest);
    const manifestMax = manifestGaps.length === 0 ? null : Math.max(...manifestGaps);
    report.record({
      scenario,
      ours: `${seen.heartbeat.length} beats over ${sec(wallMs)}`,
      ratio: `max gap ${sec(maxGap)}`,
      target,
      pass: gaps.length >= 2 && maxGap <= MAX_GAP_MS,
      note: `manifest heartbeat_at: ${seen.manifest.length} values, max gap ${manifestMax === null ? "n/a" : sec(manifestMax)}`,
      raw: { seen, gaps, manifestGaps, exitCode },
    });
  },
};

// Peak RSS of the orchestrator process, as the kernel accounts it: `node --import rss-probe.mjs`
// writes getrusage(RUSAGE_SELF).ru_maxrss (and /proc/self/status VmHWM where /proc exists) to a file
// at exit. Stage commands are separate processes and are not counted.
import fs from "node:fs";
import path from "node:path";
import { rssProbe } from "./paths.mjs";
import { round } from "./timing.mjs";

/** A probe whose `options` go into timeOrchestrator/timeStart; `collect()` after each run keeps its peak. */
export function createRssProbe(context, name) {
  const file = path.join(context.workDir, `${name}-rss.json`);
  const peaks = [];
  return {
    peaks,
    options: { nodeArgs: ["--import", rssProbe], env: { CODEX_BENCH_RSS_FILE: file } },
    reset() {
      fs.rmSync(file, { force: true });
    },
    collect() {
      peaks.push(JSON.parse(fs.readFileSync(file, "utf8")));
    },
    /** The highest ru_maxrss of the runs, in MB, and the VmHWM figures beside it. */
    summary() {
      const peakMb = Math.max(...peaks.map((peak) => peak.maxRssKb)) / 1024;
      const vmHwm = peaks.map((peak) => (peak.vmHwmKb === null ? "n/a" : `${round(peak.vmHwmKb / 1024, 1)}`));
      return { peakMb, note: `VmHWM ${vmHwm.join(", ")} MB over ${peaks.length} runs` };
    },
  };
}

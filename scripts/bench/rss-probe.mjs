// Preloaded into the orchestrator process (`node --import rss-probe.mjs …`) by the benchmark: at exit
// it records the process's peak resident set size as the kernel accounts it (getrusage ru_maxrss,
// and /proc/self/status VmHWM where /proc exists) into $CODEX_BENCH_RSS_FILE.
import fs from "node:fs";

const target = process.env.CODEX_BENCH_RSS_FILE;
if (target !== undefined && target !== "") {
  process.on("exit", () => {
    let vmHwmKb = null;
    try {
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
      if (match !== null) vmHwmKb = Number(match[1]);
    } catch {
      // No /proc (macOS): ru_maxrss alone.
    }
    fs.writeFileSync(target, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, vmHwmKb }));
  });
}

// Heavy output: one stage printing 200 MB, against `sh -c '<same> | cat > file'`, without and with
// secrets to redact; the orchestrator's peak RSS beside each.
//
// Method: both sides write fresh files (overwriting the last run's 200 MB would add its truncation).
// Right after a build writing 200 MB took 0.13 s or 0.3–0.5 s at random, on either side, until the
// machine's memory settled: the baseline first runs, untimed, until two runs in a row agree within
// 15%. Then one untimed round of every side (the first 200 MB written after a clean-up can take twice
// as long while the kernel sets up its page cache), then five runs a side, interleaved.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sec, times } from "../lib/report.mjs";
import { clearRuns, createTempRepo } from "../lib/temp-repo.mjs";
import { timeStart } from "../lib/orchestrator.mjs";
import { createRssProbe } from "../lib/rss.mjs";
import { measureInterleaved, round, timeOnce, untilSteady } from "../lib/timing.mjs";

const floorScript = fileURLToPath(new URL("../lib/output-floor.mjs", import.meta.url));

const TIME_LIMIT = 4;
const RSS_LIMIT_MB = 150;
// Secret-looking variables: the default redaction patterns (*TOKEN*, *SECRET*) make their values
// secrets to scrub from the stage's output.
const SECRETS = { MY_TOKEN: "abcd1234efgh", API_SECRET: "zzzz9999" };

export default {
  name: "output",
  summary: "one stage printing 200 MB ≤ 4× `| cat > file`, peak RSS < 150 MB, also with two secrets",
  run(context) {
    const { quick, report, workDir } = context;
    // 50 MB runs are cheap: --quick keeps the warm-up round and three runs a side.
    const runs = quick ? 3 : 5;
    const bytes = quick ? 50_000_000 : 200_000_000;
    const generator = `yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | head -c ${bytes}`;
    const root = createTempRepo(context, "output", [
      {
        id: "big",
        title: "Big output",
        stages: [{ kind: "command", id: "print", title: "Print", command: generator }],
      },
    ]);
    const sink = path.join(workDir, "output-baseline.log");
    const baseline = () => {
      fs.rmSync(sink, { force: true });
      return timeOnce("sh", ["-c", `${generator} | cat > "${sink}"`]);
    };
    const probes = {
      plain: createRssProbe(context, "output"),
      secrets: createRssProbe(context, "output-secrets"),
    };
    const ours =
      (probe, env = {}) =>
      () => {
        clearRuns(root);
        probe.reset();
        // The engine's path is measured: stage output echoed on stderr (`--output-logs full`, the
        // default off a terminal) would also fill the bench's 64 MiB pipe buffer.
        const elapsed = timeStart(root, "big", {
          ...probe.options,
          env: { ...probe.options.env, CODEX_ORCHESTRATOR_OUTPUT_LOGS: "none", ...env },
        });
        probe.collect();
        return elapsed;
      };

    const label = `one stage printing ${bytes / 1e6} MB`;
    // The floor: a bare script doing only what the logs need (lib/output-floor.mjs).
    const floorDir = path.join(workDir, "output-floor");
    const floor = () => {
      fs.rmSync(floorDir, { recursive: true, force: true });
      fs.mkdirSync(floorDir);
      return timeOnce(process.execPath, [floorScript, floorDir, generator]);
    };

    if (!quick) untilSteady(baseline);
    const timed = measureInterleaved(
      { baseline, floor, plain: ours(probes.plain), secrets: ours(probes.secrets, SECRETS) },
      runs,
    );
    fs.rmSync(sink, { force: true });
    fs.rmSync(floorDir, { recursive: true, force: true });
    const floorRatio = timed.floor.median / timed.baseline.median;
    report.record({
      scenario: `${label}: the floor (a bare script doing only what the logs need)`,
      baseline: `sh -c '… | cat > file': ${sec(timed.baseline.median)}`,
      ours: sec(timed.floor.median),
      ratio: times(floorRatio),
      target: "report only",
      pass: null,
      note: "read the pipe, decode, escape into JSON lines, write 2 files, sha256 of each; no CLI, no run",
      raw: { baseline: timed.baseline, floor: timed.floor },
    });

    const variants = [
      ["plain", label],
      ["secrets", `${label}, two secrets in the environment`],
    ];
    for (const [side, scenario] of variants) {
      const ratio = timed[side].median / timed.baseline.median;
      report.record({
        scenario: `${scenario}: time`,
        baseline: `sh -c '… | cat > file': ${sec(timed.baseline.median)}`,
        ours: sec(timed[side].median),
        ratio: times(ratio),
        target: `≤ ${TIME_LIMIT}×`,
        pass: ratio <= TIME_LIMIT,
        note: `median of ${runs}; the floor: ${times(floorRatio)}`,
        raw: { baseline: timed.baseline, ours: timed[side] },
      });
      const { peakMb, note } = probes[side].summary();
      report.record({
        scenario: `${scenario}: orchestrator peak RSS`,
        ours: `${round(peakMb, 1)} MB`,
        ratio: "-",
        target: `< ${RSS_LIMIT_MB} MB`,
        pass: peakMb < RSS_LIMIT_MB,
        note,
        raw: probes[side].peaks,
      });
    }
  },
};

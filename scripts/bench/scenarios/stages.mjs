// Per-stage cost: 1,000 sequential `true` stages against a shell loop that runs `sh -c true` 1,000
// times with each command's output in a file of its own; then how the cost scales with the count.
import { duration, sec, times } from "../lib/report.mjs";
import { clearRuns, commandStages, createTempRepo } from "../lib/temp-repo.mjs";
import { timeStart } from "../lib/orchestrator.mjs";
import { measureInterleaved, round, timeOnce } from "../lib/timing.mjs";
import path from "node:path";
import fs from "node:fs";

const EXTRA_MS_PER_STAGE = 5;
const SCALING_LIMIT = 11;

function shellLoop(dir, count) {
  return `mkdir -p "${dir}"; i=1; while [ $i -le ${count} ]; do sh -c 'true' > "${dir}/$i.log" 2>&1 || exit 1; i=$((i+1)); done`;
}

export default {
  name: "stages",
  summary: "1,000 stages ≤ 5 ms extra per stage; 100 → 1,000 → 10,000 stages scale ≤ 11× per step",
  async run(context) {
    const { quick, report, workDir, log } = context;
    const runs = quick ? 3 : 5;
    const repos = Object.fromEntries(
      [100, 1_000, 10_000].map((count) => [
        count,
        createTempRepo(context, `stages-${count}`, [
          { id: "many", title: `${count} stages`, stages: commandStages(count, "true") },
        ]),
      ]),
    );
    const startMany = (count, options) => () => {
      clearRuns(repos[count]);
      return timeStart(repos[count], "many", options);
    };
    const medians = {};

    const main = "1,000 sequential stages of `true`";
    const mainTarget = `≤ ${EXTRA_MS_PER_STAGE} ms extra per stage`;
    await report.attempt(main, mainTarget, () => {
      const loopDir = path.join(workDir, "stages-loop");
      const timed = measureInterleaved(
        {
          baseline: () => {
            fs.rmSync(loopDir, { recursive: true, force: true });
            return timeOnce("sh", ["-c", shellLoop(loopDir, 1_000)]);
          },
          ours: startMany(1_000),
        },
        runs,
      );
      medians[1_000] = timed.ours.median;
      const extra = (timed.ours.median - timed.baseline.median) / 1_000;
      report.record({
        scenario: main,
        baseline: `sh loop, output to own files: ${sec(timed.baseline.median)}`,
        ours: sec(timed.ours.median),
        ratio: `${times(timed.ours.median / timed.baseline.median)}, +${round(extra)} ms/stage`,
        target: mainTarget,
        pass: extra <= EXTRA_MS_PER_STAGE,
        note: `median of ${runs}`,
        raw: timed,
      });
    });

    const scaling = (small, large, note) => {
      const ratio = medians[large] / medians[small];
      report.record({
        scenario: `scaling: ${large.toLocaleString("en")} stages against ${small.toLocaleString("en")}`,
        baseline: `${small.toLocaleString("en")} stages: ${duration(medians[small])}`,
        ours: `${large.toLocaleString("en")} stages: ${duration(medians[large])}`,
        ratio: times(ratio),
        target: `≤ ${SCALING_LIMIT}×`,
        pass: ratio <= SCALING_LIMIT,
        note,
      });
    };

    const first = "scaling: 1,000 stages against 100";
    await report.attempt(first, `≤ ${SCALING_LIMIT}×`, () => {
      if (medians[1_000] === undefined) throw new Error("the 1,000-stage run failed (above)");
      medians[100] = measureInterleaved({ ours: startMany(100) }, runs).ours.median;
      scaling(100, 1_000, `medians of ${runs}`);
    });

    const second = "scaling: 10,000 stages against 1,000";
    if (quick) {
      report.record({
        scenario: second,
        ratio: "skipped (--quick)",
        target: `≤ ${SCALING_LIMIT}×`,
        pass: null,
      });
      return;
    }
    await report.attempt(second, `≤ ${SCALING_LIMIT}×`, () => {
      if (medians[1_000] === undefined) throw new Error("the 1,000-stage run failed (above)");
      log("    10,000 stages: one run, no warm-up (takes a while)\n");
      medians[10_000] = startMany(10_000, { timeoutMs: 20 * 60_000 })();
      scaling(1_000, 10_000, "10,000 stages: one run, no warm-up");
    });
  },
};

// `runs --status failed` over 10,000 runs: the first call (which builds the run index) and warm calls.
import fs from "node:fs";
import path from "node:path";
import { ms, times } from "../lib/report.mjs";
import { timeOrchestrator } from "../lib/orchestrator.mjs";
import { createRunHistory } from "../lib/run-history.mjs";
import { measureInterleaved, median, timeOnce } from "../lib/timing.mjs";

const WARM_LIMIT_MS = 300;

export default {
  name: "runs",
  summary: "runs --status failed over 10,000 runs, warm < 300 ms",
  run(context) {
    const { quick, report } = context;
    const runs = quick ? 5 : 11;
    const { root } = createRunHistory(context, "runs-10k", 10_000, { failedEvery: 10 });
    const list = () => timeOrchestrator(root, ["runs", "--status", "failed", "--format", "json"]);
    const runsDir = path.join(root, ".runs");
    const removeIndex = () => {
      for (const name of fs.readdirSync(runsDir).filter((entry) => entry.startsWith(".")))
        fs.rmSync(path.join(runsDir, name), { recursive: true, force: true });
    };
    const firstCalls = [];
    for (let round = 0; round < (quick ? 1 : 3); round += 1) {
      removeIndex();
      firstCalls.push(list());
    }
    // The target is absolute; `node -e 0` of the same run says how busy the machine was.
    const warm = measureInterleaved(
      { node: () => timeOnce(process.execPath, ["-e", "0"]), ours: list },
      runs,
    );
    report.record({
      scenario: "runs --status failed, 10,000 runs, first call (builds the index)",
      ours: ms(median(firstCalls)),
      target: "report only",
      pass: null,
      note: `median of ${firstCalls.length}`,
      raw: firstCalls,
    });
    report.record({
      scenario: "runs --status failed, 10,000 runs, warm",
      baseline: `node -e 0: ${ms(warm.node.median)}`,
      ours: ms(warm.ours.median),
      ratio: times(warm.ours.median / warm.node.median),
      target: `< ${WARM_LIMIT_MS} ms`,
      pass: warm.ours.median < WARM_LIMIT_MS,
      note: `median of ${runs}`,
      raw: warm,
    });
  },
};

// `status <id>` with 10,000 runs on disk against the same call with one run on disk.
import { ms, times } from "../lib/report.mjs";
import { timeOrchestrator } from "../lib/orchestrator.mjs";
import { createRunHistory } from "../lib/run-history.mjs";
import { measureInterleaved } from "../lib/timing.mjs";

const LIMIT = 1.2;

export default {
  name: "status",
  summary: "status <id> with 10,000 runs ≤ 1.2× with 1 run",
  run(context) {
    const { quick, report } = context;
    const runs = quick ? 7 : 15;
    const small = createRunHistory(context, "status-1", 1, { failedEvery: 0 });
    const large = createRunHistory(context, "status-10k", 10_000, { failedEvery: 0 });
    const target = large.runIds[Math.floor(large.runIds.length / 2)];
    const timed = measureInterleaved(
      {
        baseline: () => timeOrchestrator(small.root, ["status", small.runIds[0], "--format", "json"]),
        ours: () => timeOrchestrator(large.root, ["status", target, "--format", "json"]),
      },
      runs,
    );
    const ratio = timed.ours.median / timed.baseline.median;
    report.record({
      scenario: "status <id> with 10,000 runs on disk",
      baseline: `1 run on disk: ${ms(timed.baseline.median)}`,
      ours: ms(timed.ours.median),
      ratio: times(ratio),
      target: `≤ ${LIMIT}×`,
      pass: ratio <= LIMIT,
      note: `median of ${runs}`,
      raw: timed,
    });
  },
};

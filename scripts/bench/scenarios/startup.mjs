// Start-up: `--version` and `plan` on a small config, against a bare `node -e 0` of the same run.
import { ms, times } from "../lib/report.mjs";
import { timeOrchestrator } from "../lib/orchestrator.mjs";
import { commandStages, createTempRepo } from "../lib/temp-repo.mjs";
import { measureInterleaved, timeOnce } from "../lib/timing.mjs";

export default {
  name: "startup",
  summary: "--version ≤ 2× and plan ≤ 3× node -e 0",
  run(context) {
    const { quick, report } = context;
    const runs = quick ? 7 : 21;
    const root = createTempRepo(context, "startup", [
      { id: "ci", title: "CI", stages: commandStages(3, "true") },
    ]);
    const timed = measureInterleaved(
      {
        node: () => timeOnce(process.execPath, ["-e", "0"]),
        version: () => timeOrchestrator(root, ["--version"]),
        plan: () => timeOrchestrator(root, ["plan", "ci", "--format", "json"]),
      },
      runs,
    );
    const baseline = `node -e 0: ${ms(timed.node.median)}`;
    const rows = [
      ["codex-orchestrator --version", timed.version, 2],
      ["plan ci --format json (3 stages)", timed.plan, 3],
    ];
    for (const [scenario, ours, limit] of rows) {
      const ratio = ours.median / timed.node.median;
      report.record({
        scenario,
        baseline,
        ours: ms(ours.median),
        ratio: times(ratio),
        target: `≤ ${limit}×`,
        pass: ratio <= limit,
        note: `median of ${runs}`,
        raw: { node: timed.node, ours },
      });
    }
  },
};

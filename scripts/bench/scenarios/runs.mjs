// `runs` over many runs. 10,000 runs: `runs --status failed` (every row needed), first call (builds
// the run index) and warm. 100,000 runs: `runs --limit 20`, cold (no run index yet) and warm: the
// newest runs come first without reading the oldest (docs/decisions/0019-run-index-shards.md).
import fs from "node:fs";
import path from "node:path";
import { ms, times } from "../lib/report.mjs";
import { timeOrchestrator } from "../lib/orchestrator.mjs";
import { createRunHistory } from "../lib/run-history.mjs";
import { measureInterleaved, median, timeOnce } from "../lib/timing.mjs";

const WARM_LIMIT_MS = 300;
const COLD_LIMIT_MS = 1000;

// The run index lives in dot-entries of the runs directory: without them a listing starts cold.
function removeIndex(root) {
  const runsDir = path.join(root, ".runs");
  for (const name of fs.readdirSync(runsDir).filter((entry) => entry.startsWith(".")))
    fs.rmSync(path.join(runsDir, name), { recursive: true, force: true });
}

function statusFailed10k(context) {
  const { quick, report } = context;
  const runs = quick ? 5 : 11;
  const { root } = createRunHistory(context, "runs-10k", 10_000, { failedEvery: 10 });
  const list = () => timeOrchestrator(root, ["runs", "--status", "failed", "--format", "json"]);
  const firstCalls = [];
  for (let round = 0; round < (quick ? 1 : 3); round += 1) {
    removeIndex(root);
    firstCalls.push(list());
  }
  // The target is absolute; `node -e 0` of the same run says how busy the machine was.
  const warm = measureInterleaved({ node: () => timeOnce(process.execPath, ["-e", "0"]), ours: list }, runs);
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
}

function limit100k(context) {
  const { quick, report, log } = context;
  const runs = quick ? 5 : 11;
  const started = Date.now();
  const { root } = createRunHistory(context, "runs-100k", 100_000, { failedEvery: 10, compact: true });
  log(`  (100,000 runs written in ${ms(Date.now() - started)})\n`);
  const list = () => timeOrchestrator(root, ["runs", "--limit", "20", "--format", "json"]);
  const coldCalls = [];
  for (let round = 0; round < (quick ? 3 : 5); round += 1) {
    removeIndex(root);
    coldCalls.push(list());
  }
  const warm = measureInterleaved({ node: () => timeOnce(process.execPath, ["-e", "0"]), ours: list }, runs);
  const cold = median(coldCalls);
  report.record({
    scenario: "runs --limit 20, 100,000 runs, cold (no run index)",
    ours: ms(cold),
    target: `< ${COLD_LIMIT_MS} ms`,
    pass: cold < COLD_LIMIT_MS,
    note: `median of ${coldCalls.length}`,
    raw: coldCalls,
  });
  report.record({
    scenario: "runs --limit 20, 100,000 runs, warm",
    baseline: `node -e 0: ${ms(warm.node.median)}`,
    ours: ms(warm.ours.median),
    ratio: times(warm.ours.median / warm.node.median),
    target: `< ${WARM_LIMIT_MS} ms`,
    pass: warm.ours.median < WARM_LIMIT_MS,
    note: `median of ${runs}`,
    raw: warm,
  });
}

export default {
  name: "runs",
  summary:
    "runs --status failed over 10,000 runs, warm < 300 ms; runs --limit 20 over 100,000, warm < 300 ms, cold < 1 s",
  run(context) {
    statusFailed10k(context);
    limit100k(context);
  },
};

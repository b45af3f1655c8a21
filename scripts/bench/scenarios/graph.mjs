// The stage graph: independent stages run side by side up to the concurrency limit, and a
// repository-like diagnostics shape (build → lint, test; spec-guard on its own) as a graph against
// the same stages one after another.
import { ms, sec, times } from "../lib/report.mjs";
import { clearRuns, commandStages, createTempRepo } from "../lib/temp-repo.mjs";
import { timeStart } from "../lib/orchestrator.mjs";
import { measureInterleaved, timeOnce } from "../lib/timing.mjs";

const STAGES = 8;

function diagnosticsStages({ graph }) {
  const stage = (id, needs) => ({
    kind: "command",
    id,
    title: id,
    command: "sleep 0.3",
    ...(graph ? { needs } : {}),
  });
  return [stage("build", []), stage("lint", ["build"]), stage("test", ["build"]), stage("spec-guard", [])];
}

export default {
  name: "graph",
  summary: "8 independent `sleep 1` stages: ≤ 1.3 s at --concurrency 8, ≤ 4.4 s at 2",
  async run(context) {
    const { quick, report } = context;
    const runs = quick ? 1 : 3;
    // One repository per pipeline, so that one config the engine refuses does not stop the others.
    const repos = {
      wide: createTempRepo(context, "graph-wide", [
        { id: "wide", title: "Wide", stages: commandStages(STAGES, "sleep 1", { needs: [] }) },
      ]),
      graph: createTempRepo(context, "graph-diagnostics", [
        {
          id: "diagnostics-graph",
          title: "Diagnostics as a graph",
          stages: diagnosticsStages({ graph: true }),
        },
      ]),
      sequence: createTempRepo(context, "graph-sequence", [
        {
          id: "diagnostics-sequence",
          title: "Diagnostics in sequence",
          stages: diagnosticsStages({ graph: false }),
        },
      ]),
    };
    const start = (repo, pipeline, extraArgs) => () => {
      clearRuns(repos[repo]);
      return timeStart(repos[repo], pipeline, { extraArgs });
    };

    const widths = [
      { concurrency: 8, limitMs: 1300, baselineName: `sh: ${STAGES} × sleep 1 in the background` },
      { concurrency: 2, limitMs: 4400, baselineName: `xargs -P 2: ${STAGES} × sleep 1` },
    ];
    for (const { concurrency, limitMs, baselineName } of widths) {
      const scenario = `${STAGES} independent stages of sleep 1, --concurrency ${concurrency}`;
      const target = `≤ ${sec(limitMs)}`;
      await report.attempt(scenario, target, () => {
        const shell =
          concurrency >= STAGES
            ? `${Array.from({ length: STAGES }, () => "sleep 1 &").join(" ")} wait`
            : `seq ${STAGES} | xargs -P ${concurrency} -I{} sleep 1`;
        const timed = measureInterleaved(
          {
            baseline: () => timeOnce("sh", ["-c", shell]),
            ours: start("wide", "wide", ["--concurrency", String(concurrency)]),
          },
          runs,
        );
        report.record({
          scenario,
          baseline: `${baselineName}: ${sec(timed.baseline.median)}`,
          ours: sec(timed.ours.median),
          ratio: times(timed.ours.median / timed.baseline.median),
          target,
          pass: timed.ours.median <= limitMs,
          note: `median of ${runs}`,
          raw: timed,
        });
      });
    }

    const shape = "diagnostics shape (build → lint, test; spec-guard), sleep 0.3 each";
    await report.attempt(shape, "report only", () => {
      const timed = measureInterleaved(
        {
          sequence: start("sequence", "diagnostics-sequence", []),
          graph: start("graph", "diagnostics-graph", ["--concurrency", "4"]),
        },
        runs,
      );
      report.record({
        scenario: `${shape}: graph vs sequence`,
        baseline: `in sequence: ${ms(timed.sequence.median)}`,
        ours: `graph, --concurrency 4: ${ms(timed.graph.median)}`,
        ratio: times(timed.graph.median / timed.sequence.median),
        target: "report only",
        pass: null,
        note: `median of ${runs}`,
        raw: timed,
      });
    });
  },
};

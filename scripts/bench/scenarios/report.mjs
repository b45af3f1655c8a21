// What the run-end report costs: every run writes report.html when it ends, so a run with it is
// timed against the same run with --no-report; a 200 MB-output run (only the head and the tail of
// its log are read) and a 100-stage run. Then an export to a closed port: at most about a second.
import net from "node:net";
import { sec, times } from "../lib/report.mjs";
import { clearRuns, commandStages, createTempRepo } from "../lib/temp-repo.mjs";
import { timeStart } from "../lib/orchestrator.mjs";
import { measureInterleaved, round } from "../lib/timing.mjs";

const REPORT_RATIO_LIMIT = 1.1;
const CLOSED_PORT_EXTRA_MS = 1_200;

async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Stage output echoed on stderr (`--output-logs full`, the default off a terminal) would fill the
// bench's 64 MiB pipe buffer with the 200 MB case; the run's own files are what is measured.
const QUIET = { CODEX_ORCHESTRATOR_OUTPUT_LOGS: "none" };

export default {
  name: "report",
  summary:
    "report.html at run end ≤ 1.1× a --no-report run (100 stages, 200 MB output); closed OTLP port ≤ +1.2 s",
  async run(context) {
    const { quick, report } = context;
    const runs = quick ? 3 : 5;
    const megabytes = quick ? 50 : 200;
    const cases = [
      [
        "100 stages",
        createTempRepo(context, "report-stages", [
          { id: "many", title: "100 stages", stages: commandStages(100, "echo hello") },
        ]),
        "many",
      ],
      [
        `${megabytes} MB of output`,
        createTempRepo(context, "report-flood", [
          {
            id: "flood",
            title: "Flood",
            stages: [
              {
                kind: "command",
                id: "flood",
                title: "Flood",
                command: `head -c ${megabytes * 1_000_000} /dev/zero | tr '\\0' x | fold -w 199`,
              },
            ],
          },
        ]),
        "flood",
      ],
    ];
    for (const [label, root, pipeline] of cases) {
      const scenario = `run-end report: ${label}`;
      const target = `≤ ${REPORT_RATIO_LIMIT}×`;
      await report.attempt(scenario, target, () => {
        const timed = measureInterleaved(
          {
            baseline: () => {
              clearRuns(root);
              return timeStart(root, pipeline, { extraArgs: ["--no-report"], env: QUIET });
            },
            ours: () => {
              clearRuns(root);
              return timeStart(root, pipeline, { env: QUIET });
            },
          },
          runs,
        );
        const ratio = timed.ours.median / timed.baseline.median;
        report.record({
          scenario,
          baseline: `--no-report: ${sec(timed.baseline.median)}`,
          ours: sec(timed.ours.median),
          ratio: times(ratio),
          target,
          pass: ratio <= REPORT_RATIO_LIMIT,
          note: `median of ${runs}`,
          raw: timed,
        });
      });
    }
    const [, root, pipeline] = cases[0];
    const port = await closedPort();
    const scenario = "OTLP export to a closed port at run end";
    const target = `≤ +${CLOSED_PORT_EXTRA_MS} ms`;
    await report.attempt(scenario, target, () => {
      const timed = measureInterleaved(
        {
          baseline: () => {
            clearRuns(root);
            return timeStart(root, pipeline);
          },
          ours: () => {
            clearRuns(root);
            return timeStart(root, pipeline, {
              env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
            });
          },
        },
        runs,
      );
      const extra = timed.ours.median - timed.baseline.median;
      report.record({
        scenario,
        baseline: `no export: ${sec(timed.baseline.median)}`,
        ours: sec(timed.ours.median),
        ratio: `+${round(extra)} ms`,
        target,
        pass: extra <= CLOSED_PORT_EXTRA_MS,
        note: `median of ${runs}`,
        raw: timed,
      });
    });
  },
};

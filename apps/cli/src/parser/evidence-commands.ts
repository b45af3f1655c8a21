import type { Argv } from "yargs";
import { FORMAT, runIdOption } from "../usage/shared-options.js";

/**
 * The commands verify, report and export-otel: a run's evidence for reviewers.
 * Each handler loads its command's code only when it runs.
 */
export function addEvidenceCommands<T>(parser: Argv<T>, setExitCode: (code: number) => void): Argv<T> {
  return parser
    .command(
      "verify [run-id]",
      "Check a run's signed attestation, every file's digest, the logs' hash chains and its child runs",
      (command) =>
        runIdOption(command)
          .option("key", {
            type: "string",
            describe:
              "The public key (PEM) the run must be signed with (default: the key the attestation records)",
          })
          .option("format", FORMAT),
      async (argv) => {
        const { runVerify } = await import("../commands/verify.js");
        setExitCode(await runVerify(argv));
      },
    )
    .command(
      "report [run-id]",
      "Write a run's self-contained HTML report (or, with --index, the page of runs)",
      (command) =>
        runIdOption(command)
          .option("out", {
            type: "string",
            describe: "Where to write (default: report.html in the run folder; index.html in .runs/)",
          })
          .option("open", { type: "boolean", describe: "Open the page in the default browser" })
          .option("index", {
            type: "boolean",
            describe: "The page of runs, filtered by task, status and pipeline, linking each report",
          })
          .option("format", FORMAT),
      async (argv) => {
        const { runReport } = await import("../commands/report.js");
        setExitCode(await runReport(argv));
      },
    )
    .command(
      "export-otel [run-id]",
      "Send a finished run (and its child runs) as an OpenTelemetry trace over OTLP/HTTP",
      (command) =>
        runIdOption(command)
          .option("endpoint", {
            type: "string",
            describe:
              "The OTLP/HTTP base address (default: OTEL_EXPORTER_OTLP_ENDPOINT, the config's otel.endpoint, else http://localhost:4318)",
          })
          .option("format", FORMAT),
      async (argv) => {
        const { runExportOtel } = await import("../commands/export-otel.js");
        setExitCode(await runExportOtel(argv));
      },
    );
}

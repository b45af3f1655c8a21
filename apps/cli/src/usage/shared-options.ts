import type { Argv } from "yargs";

/** `--format text|json`, as every command takes it. */
export const FORMAT = {
  type: "string",
  choices: ["text", "json"] as const,
  default: "text",
  describe: "Output format (json: one document on stdout)",
} as const;

/** A run id, as a positional or `--run`. */
export function runIdOption<T>(argv: Argv<T>) {
  return argv
    .positional("run-id", { type: "string", describe: "The run id (or use --run)" })
    .option("run", { type: "string", describe: "The run id" });
}

/** How `start` and `resume` walk the stage graph, show it and what they leave when it ends. */
export function stageGraphOptions<T>(argv: Argv<T>) {
  return argv
    .option("concurrency", {
      type: "string",
      describe:
        "How many stages may run at once, a positive whole number (default: the pipeline's concurrency, else the number of CPUs)",
    })
    .option("continue", {
      type: "boolean",
      describe: "After a stage fails, let the stages that do not depend on it run on",
    })
    .option("output-logs", {
      type: "string",
      describe:
        "Stage output to show: full (every line), failed (a failed stage's last lines), none (default: none on a terminal, where the live view shows each stage's last line; full elsewhere; env CODEX_ORCHESTRATOR_OUTPUT_LOGS)",
    })
    .option("report", {
      type: "boolean",
      describe: "Write report.html into the run folder when the run ends (--no-report: do not)",
    })
    .option("otel", {
      type: "boolean",
      describe:
        "Export the run as an OpenTelemetry trace when it ends (default: when OTEL_EXPORTER_OTLP_ENDPOINT is set)",
    })
    .option("executor", {
      type: "string",
      describe:
        "Where command stages run: local (default) or bullmq (workers through Redis; docs/distributed.md)",
    });
}

/** How `start` and `resume` use the stage cache (docs/cache.md). */
export function cacheOption<T>(argv: Argv<T>) {
  return argv.option("cache", {
    type: "boolean",
    describe:
      "Use the stage cache (default); --no-cache runs every stage and neither reads nor stores results",
  });
}

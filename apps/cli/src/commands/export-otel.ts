import { CodexOrchestrator } from "@codex/orchestrator-core";
import { UsageError } from "../errors.js";
import { runIdFrom } from "../usage/run-id-argument.js";
import { printJson } from "../terminal.js";
import { rootOptions } from "../usage/root-option.js";

/** How long `export-otel` waits for the collector (longer than at a run's end: someone asked). */
const EXPORT_TIMEOUT_MS = 10_000;

/** `export-otel <run-id> [--endpoint <url>]`: sends a run (and its child runs) as one trace. */
export async function runExportOtel(argv: {
  runId?: string | undefined;
  run?: string | undefined;
  endpoint?: string | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  if (argv.endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(argv.endpoint))
    throw new UsageError(`--endpoint must be an http(s) address (got ${JSON.stringify(argv.endpoint)})`);
  const runId = runIdFrom(argv);
  const orchestrator = new CodexOrchestrator(rootOptions(argv));
  const found = await orchestrator.findRun(runId, "--run");
  const { exportRunTrace, resolveOtlpTarget } = await import("@codex/orchestrator-otel");
  const env =
    argv.endpoint === undefined
      ? process.env
      : {
          ...process.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: argv.endpoint,
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "",
        };
  const exported = await exportRunTrace({
    runDir: found.runDir,
    target: resolveOtlpTarget(env, orchestrator.workspace.config?.config.otel?.endpoint),
    timeoutMs: EXPORT_TIMEOUT_MS,
  });
  if (argv.format === "json") {
    printJson({ run_id: runId, trace_id: exported.traceId, spans: exported.spans, url: exported.url });
  } else {
    process.stdout.write(
      `Exported run ${runId} as trace ${exported.traceId} (${exported.spans} spans) to ${exported.url}\n`,
    );
  }
  return 0;
}

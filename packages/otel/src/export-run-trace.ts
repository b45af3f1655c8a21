import { readRunView } from "@codex/orchestrator-report";
import { buildRunSpans } from "./run-spans.js";
import { sendSpans } from "./send-spans.js";
import { deriveTraceId } from "./trace-ids.js";
import type { OtlpTarget } from "./otlp-target.js";

/** How long an export may take before the run moves on (an unreachable collector costs this much). */
export const DEFAULT_EXPORT_TIMEOUT_MS = 1000;

/** Options for {@link exportRunTrace}. */
export interface ExportRunTraceOptions {
  /** The run folder (`.runs/<task>/cli/<run>`). */
  runDir: string;
  target: OtlpTarget;
  /** Default {@link DEFAULT_EXPORT_TIMEOUT_MS}. */
  timeoutMs?: number;
  serviceVersion?: string;
}

/** What was exported. */
export interface ExportedTrace {
  traceId: string;
  spans: number;
  url: string;
}

/** Reads a run folder (child runs included) and sends it as one trace over OTLP/HTTP (JSON). */
export async function exportRunTrace(options: ExportRunTraceOptions): Promise<ExportedTrace> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXPORT_TIMEOUT_MS;
  // Logs are not part of a trace: none are read.
  const view = readRunView(options.runDir, { logBudgetBytes: 0 });
  const spans = buildRunSpans(view, {
    ...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion }),
  });
  // The HTTP exporter is the heaviest part: loaded only when a trace is sent.
  const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
  const exporter = new OTLPTraceExporter({
    url: options.target.url,
    headers: options.target.headers,
    timeoutMillis: timeoutMs,
  });
  try {
    await sendSpans(spans, exporter, { timeoutMs });
  } finally {
    // Shutting down aborts what is still in flight; it is not waited for past the deadline.
    void exporter.shutdown().catch(() => {});
  }
  return { traceId: deriveTraceId(view.manifest.run_id), spans: spans.length, url: options.target.url };
}

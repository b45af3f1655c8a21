export { TraceExportError } from "./errors.js";
export { DEFAULT_EXPORT_TIMEOUT_MS, exportRunTrace } from "./export-run-trace.js";
export type { ExportedTrace, ExportRunTraceOptions } from "./export-run-trace.js";
export { DEFAULT_OTLP_ENDPOINT, resolveOtlpTarget } from "./otlp-target.js";
export type { OtlpTarget } from "./otlp-target.js";
export { buildRunSpans, TRACER_NAME } from "./run-spans.js";
export type { BuildRunSpansOptions } from "./run-spans.js";
export { sendSpans } from "./send-spans.js";
export { DerivedIdGenerator, deriveSpanId, deriveTraceId } from "./trace-ids.js";
// The SDK's exporter that keeps spans in memory: for checking what a run turns into.
export { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";

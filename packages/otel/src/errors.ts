import { OrchestratorError } from "@codex/orchestrator-schema";

/** A trace could not be sent: the endpoint refused it, did not answer in time, or was unreachable. */
export class TraceExportError extends OrchestratorError {
  constructor(message: string, cause?: unknown) {
    super(message, {
      code: "ERR_TRACE_EXPORT",
      hint: "Check OTEL_EXPORTER_OTLP_ENDPOINT (or the config's otel.endpoint) and that the collector listens there.",
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

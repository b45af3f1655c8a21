import { ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { TraceExportError } from "./errors.js";

/**
 * Hands spans to an exporter and waits at most `timeoutMs` for its answer; a refused, failed or
 * unanswered export throws {@link TraceExportError}.
 */
export async function sendSpans(
  spans: ReadableSpan[],
  exporter: SpanExporter,
  options: { timeoutMs: number },
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        exporter.export(spans, (result) => {
          if (result.code === ExportResultCode.SUCCESS) resolve();
          else
            reject(
              new TraceExportError(
                `The trace was not accepted: ${result.error?.message ?? "export failed"}`,
                result.error,
              ),
            );
        });
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new TraceExportError(`The trace endpoint did not answer within ${options.timeoutMs} ms`)),
          options.timeoutMs,
        );
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

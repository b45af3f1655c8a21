import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Tracer } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { RunView } from "@codex/orchestrator-report";
import { runAttributes, stageAttributes } from "./span-attributes.js";
import { DerivedIdGenerator, deriveSpanId, deriveTraceId } from "./trace-ids.js";

/** The instrumentation scope and service the spans are reported under. */
export const TRACER_NAME = "codex-orchestrator";

/** Options for {@link buildRunSpans}. */
export interface BuildRunSpansOptions {
  /** `service.version` of the resource. */
  serviceVersion?: string;
  /** `service.name` of the resource (default `codex-orchestrator`). */
  serviceName?: string;
}

/**
 * Turns a finished run (and its child runs) into spans: the run is the root span, each stage that
 * started is a child span, a child run hangs under the subpipeline stage that started it. Times
 * come from the manifest; trace and span ids from the run and stage ids, so the same run always
 * makes the same trace.
 */
export function buildRunSpans(view: RunView, options: BuildRunSpansOptions = {}): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => void spans.push(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const ids = new DerivedIdGenerator();
  ids.traceId = deriveTraceId(view.manifest.run_id);
  const provider = new BasicTracerProvider({
    idGenerator: ids,
    resource: resourceFromAttributes({
      "service.name": options.serviceName ?? TRACER_NAME,
      ...(options.serviceVersion === undefined ? {} : { "service.version": options.serviceVersion }),
    }),
    spanProcessors: [collect],
  });
  const tracer = provider.getTracer(TRACER_NAME, options.serviceVersion);
  addRun(tracer, ids, view, ROOT_CONTEXT);
  return spans;
}

function addRun(tracer: Tracer, ids: DerivedIdGenerator, view: RunView, parent: Context): void {
  const { manifest } = view;
  const runEnd = timeOf(manifest.completed_at ?? manifest.updated_at);
  ids.spanId = deriveSpanId(manifest.run_id);
  const runSpan = tracer.startSpan(
    `run ${manifest.pipeline_id}`,
    { kind: SpanKind.INTERNAL, startTime: timeOf(manifest.started_at), attributes: runAttributes(manifest) },
    parent,
  );
  const runContext = trace.setSpan(ROOT_CONTEXT, runSpan);
  for (const stage of view.stages) {
    const { entry } = stage;
    if (entry.started_at === null) continue;
    ids.spanId = deriveSpanId(manifest.run_id, entry.id);
    const span = tracer.startSpan(
      `stage ${entry.id}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: timeOf(entry.started_at),
        attributes: stageAttributes(manifest, entry),
      },
      runContext,
    );
    for (const attempt of entry.attempts ?? []) {
      span.addEvent(
        "attempt",
        {
          "codex.stage.attempt": attempt.attempt,
          ...(attempt.exit_code === null ? {} : { "process.exit.code": attempt.exit_code }),
          ...(attempt.reason === null ? {} : { "codex.attempt.reason": attempt.reason }),
          ...(attempt.signal === null ? {} : { "codex.attempt.signal": attempt.signal }),
        },
        timeOf(attempt.completed_at ?? attempt.started_at),
      );
    }
    manifest.approvals.forEach((approval, position) => {
      if (approval.stage_id !== entry.id) return;
      span.addEvent(
        "approval",
        {
          "codex.approval.decision": approval.decision,
          "codex.approval.actor": approval.actor,
          "codex.approval.citation": `manifest.json#approvals[${position}]`,
          ...(approval.reason === null ? {} : { "codex.approval.reason": approval.reason }),
        },
        timeOf(approval.timestamp),
      );
    });
    if (stage.child !== null) addRun(tracer, ids, stage.child, trace.setSpan(ROOT_CONTEXT, span));
    if (entry.status === "failed") {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: entry.summary ?? entry.status_detail ?? "failed",
      });
    } else if (entry.status === "succeeded") span.setStatus({ code: SpanStatusCode.OK });
    span.end(timeOf(entry.completed_at ?? manifest.completed_at ?? manifest.updated_at));
  }
  for (const child of view.otherChildren) addRun(tracer, ids, child, runContext);
  if (manifest.status === "failed" || manifest.status === "cancelled") {
    runSpan.setStatus({ code: SpanStatusCode.ERROR, message: manifest.status_detail ?? manifest.status });
  } else if (manifest.status === "succeeded") runSpan.setStatus({ code: SpanStatusCode.OK });
  runSpan.end(runEnd);
}

function timeOf(timestamp: string): Date {
  return new Date(timestamp);
}

import { createHash } from "node:crypto";
import type { IdGenerator } from "@opentelemetry/sdk-trace-base";

function derive(key: string, hexLength: number): string {
  const hex = createHash("sha256").update(`codex-orchestrator:${key}`).digest("hex").slice(0, hexLength);
  // An all-zero id is invalid in OpenTelemetry; a hash that short of one is replaced, not reused.
  return /^0+$/.test(hex) ? `${"0".repeat(hexLength - 1)}1` : hex;
}

/** The trace id of a run: the same run always gives the same trace (exporting twice updates it). */
export function deriveTraceId(runId: string): string {
  return derive(`trace:${runId}`, 32);
}

/** The span id of a run (`stageId` absent) or of one of its stages. */
export function deriveSpanId(runId: string, stageId?: string): string {
  return derive(stageId === undefined ? `run:${runId}` : `stage:${runId}:${stageId}`, 16);
}

/**
 * Hands the SDK the ids the trace builder chose for the span it starts next, so span and trace ids
 * follow from run and stage ids instead of chance.
 */
export class DerivedIdGenerator implements IdGenerator {
  traceId = "";
  spanId = "";

  generateTraceId(): string {
    return this.traceId;
  }

  generateSpanId(): string {
    return this.spanId;
  }
}

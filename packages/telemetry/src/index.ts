export { HEARTBEAT_INTERVAL_SECONDS, HeartbeatWriter } from "./heartbeat-writer.js";
export type { HeartbeatWriterOptions } from "./heartbeat-writer.js";
export { HEARTBEAT_STALE_AFTER_SECONDS, assessHeartbeat, readHeartbeatFile } from "./staleness.js";
export type { AssessHeartbeatOptions } from "./staleness.js";
export {
  describeReusedStages,
  isGuardrailStage,
  reportedProblems,
  summarizeGuardrails,
} from "./guardrail-summary.js";
export { buildRunSummary, buildSummaryText, durationSeconds } from "./run-summary.js";
export { MetricsRecorder, buildMetricsLine } from "./metrics-recorder.js";
export { EventStreamWriter } from "./event-stream.js";
export type {
  EventPayload,
  EventStreamWriterOptions,
  LogDigest,
  OpenStageOptions,
  OutputChunk,
} from "./event-stream.js";
export { buildOriginalRunSummaryFields } from "./original-run-summary.js";
export type { OriginalRunSummaryFields } from "./original-run-summary.js";

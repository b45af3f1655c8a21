export { OrchestratorError, SchemaValidationError } from "./errors.js";
export type { OrchestratorErrorOptions, ValidationIssue } from "./errors.js";
export {
  NullableTimestamp,
  RunStatus,
  StageKind,
  StageStatus,
  TERMINAL_RUN_STATUSES,
  Timestamp,
} from "./primitives.js";
export {
  Approval,
  ChildRun,
  CommandAttempt,
  CommandEntry,
  ExitReason,
  Manifest,
  ResumeEvent,
  StageCacheRecord,
} from "./manifest.js";
export { CiProvenance, GitProvenance, Provenance } from "./provenance.js";
export { DEFAULT_RESUME_ACTOR, DEFAULT_RESUME_REASON, normalizeLegacyManifest } from "./legacy-manifest.js";
export {
  ApprovalRecordedEvent,
  ApprovalRequestedEvent,
  ChildRegisteredEvent,
  ChildRunEvent,
  CommandEndEvent,
  CommandStartEvent,
  CommandStderrEvent,
  CommandStdoutEvent,
  ResumeRequestedEvent,
  RunEndEvent,
  RunCreatedEvent,
  RunEvent,
  RunHeartbeatEvent,
  RunStartEvent,
  RunStateEvent,
  StageCacheEvent,
  StageChildEvent,
  StageStatusEvent,
} from "./events.js";
export type { RunEventType, RunStateEventInput } from "./events.js";
export {
  GuardrailResult,
  LocalCompatRecord,
  LocalManifestStub,
  McpCompatPointer,
  MetricsLine,
  OriginalRunSummaryFields,
  ResumeToken,
  RunSummary,
  StateRunEntry,
  StateSnapshot,
} from "./records.js";
export {
  CommandStage,
  IdentifierPattern,
  ManualStage,
  MAX_TIMER_SECONDS,
  OrchestratorConfig,
  OtelConfig,
  Pipeline,
  Project,
  RedactionConfig,
  ReportConfig,
  ExecutorConfig,
  Stage,
  SubpipelineStage,
} from "./config.js";
export {
  CacheSettings,
  parseSize,
  PipelineCacheDefaults,
  SizeText,
  StageCache,
  StageCacheFields,
} from "./cache-config.js";
export {
  CacheListEntry,
  FailureStatus,
  HeartbeatStatus,
  PlanOutput,
  PlanStage,
  PlanStageCache,
  RunListEntry,
  StartOutput,
  StatusChildRun,
  StatusOutput,
  WaitingGate,
} from "./cli-output.js";
export { createValidators, formatIssuePath, toValidationIssues } from "./validate.js";
export type { SafeParseResult, ValidationResult, Validators } from "./validate.js";
export {
  ARTIFACT_SCHEMAS,
  parseConfig,
  parseManifest,
  safeParseConfig,
  safeParseManifest,
  validateConfig,
  validateManifest,
  validatorsFor,
} from "./artifacts.js";
export type { ArtifactName } from "./artifacts.js";
export {
  JSON_SCHEMA_BASE_URL,
  buildJsonSchema,
  jsonSchemaFileName,
  renderJsonSchemas,
} from "./json-schema.js";

export { CodexOrchestrator } from "./orchestrator.js";
export type {
  ApproveOptions,
  CodexOrchestratorOptions,
  ExecuteOptions,
  ResumeOptions,
  RunResult,
  StartOptions,
} from "./orchestrator.js";
export { EventBus } from "./event-bus.js";
export { withoutCredentials } from "./evidence/git-provenance.js";
export { gatherProvenance } from "./evidence/provenance.js";
export { EVIDENCE_VARIABLE } from "./evidence/run-evidence.js";
export { REPOSITORY_KEY_DIR, SIGNING_KEY_VARIABLE, loadSigningKey } from "./evidence/signing-key.js";
export type { SigningKey } from "./evidence/signing-key.js";
export type { OrchestratorEventName, OrchestratorEvents } from "./event-bus.js";
export { TaskManager } from "./engine/task-manager.js";
export { DEFAULT_CONCURRENCY, runLimits } from "./engine/run-limits.js";
export type { RunOutcome, TaskManagerOptions } from "./engine/task-manager.js";
export { CommandPlanner, describePlan, hashPlan } from "./plan/command-planner.js";
export type { ExecutionPlan, PlanItem } from "./plan/command-planner.js";
export { CommandBuilder, latestDecision, runEnvironment } from "./engine/stages/command-builder.js";
export type { ChildRunOutcome, StageContext, StageOutcome } from "./engine/stages/command-builder.js";
export { CommandTester } from "./engine/command-tester.js";
export { CommandReviewer } from "./engine/command-reviewer.js";
export type { RunReview } from "./engine/command-reviewer.js";
export { RunSession } from "./record/run-session.js";
export { buildStageGraph, resolveNeeds } from "./engine/stage-graph.js";
export type { GraphStage, StageGraph } from "./engine/stage-graph.js";
export { runStageGraph, SiblingFailure } from "./engine/stage-scheduler.js";
export type { RunStageGraphOptions, ScheduledOutcome, ScheduleResult } from "./engine/stage-scheduler.js";
export { applyRunEvent, rebuildManifest } from "./record/run-state.js";
export { loadRunState, readStateEvents } from "./record/run-log.js";
export { RunRecorder } from "./record/run-recorder.js";
export type { PersistMode, RunRecorderOptions } from "./record/run-recorder.js";
export { REDACTED_FIELDS } from "./record/value-redaction.js";
export {
  APPROVAL_POLICIES,
  APPROVAL_POLICY_PATTERN,
  ORIGINAL_APPROVAL_POLICIES,
  createApprovalPolicy,
  oneAtATime,
} from "./runs/approval-policy.js";
export type {
  ApprovalPolicy,
  ApprovalPolicyName,
  ApprovalPrompt,
  ApprovalRequest,
  GateDecision,
} from "./runs/approval-policy.js";
export {
  BUILTIN_PIPELINES,
  builtinPipelines,
  DEFAULT_PIPELINE_ID,
  DIAGNOSTICS_PIPELINE,
  diagnosticsPipeline,
} from "./config/builtin-pipelines.js";
export { CONFIG_FILE_NAME, loadConfigFile } from "./config/config-loader.js";
export type { LoadedConfig } from "./config/config-loader.js";
export { planPipeline } from "./plan-pipeline.js";
export type { PlanPipelineOptions } from "./plan-pipeline.js";
export {
  DEFAULT_TASK_ID,
  assembleWorkspace,
  assertTaskRegistered,
  findProjectForDirectory,
  loadWorkspace,
  projectForTask,
  resolveTaskId,
} from "./config/workspace.js";
export type { RegisteredProject, ResolvedTaskId, Workspace } from "./config/workspace.js";
export { defaultPipelineId, listPipelineIds, resolvePipeline } from "./config/pipeline-registry.js";
export type { ResolvedPipeline, ResolvedStage } from "./config/pipeline-registry.js";
export { readTaskIndex } from "./config/task-index.js";
export type { TaskRecord } from "./config/task-index.js";
export { DEFAULT_SECRET_ENV_PATTERNS, REDACTED, Redactor, StreamRedactor } from "./process/redaction.js";
export type { RedactorOptions } from "./process/redaction.js";
export { runShellCommand } from "./process/process-runner.js";
export { ExecutorUnavailableError, localExecutor } from "./engine/stage-executor.js";
export type {
  AttemptCache,
  AttemptCacheReport,
  AttemptPlace,
  AttemptRequest,
  AttemptResult,
  StageExecutor,
} from "./engine/stage-executor.js";
export { DEFAULT_QUEUE, ExecutorSettingsError, resolveExecutorSettings } from "./engine/executor-settings.js";
export type { ExecutorSettings } from "./engine/executor-settings.js";
export { createStageMarker, STAGE_MARKER_VARIABLE, stopLeftovers } from "./process/leftover-processes.js";
export { workspaceRedactor } from "./config/workspace-redactor.js";
export { parentGraceEnvironment } from "./process/nested-grace.js";
export type { ProcessOutcome, RunShellCommandOptions } from "./process/process-runner.js";
export { buildRunStatus } from "./runs/run-status.js";
export { recordApproval } from "./runs/approvals.js";
export type { RecordApprovalOptions, RecordedApproval } from "./runs/approvals.js";
export { prepareResume } from "./runs/resume.js";
export type { PrepareResumeOptions, PreparedResume } from "./runs/resume.js";
export { findLatestRun, listRuns } from "./runs/run-index.js";
export type { RunFilter } from "./runs/run-index.js";
export { EXIT_CODES, exitCodeForRun } from "./runs/exit-codes.js";
export { LocalCacheStore } from "./cache/local-cache-store.js";
export { packEntry } from "./cache/entry-pack.js";
export { restoreEntry } from "./cache/entry-restore.js";
export { parseEntryMeta } from "./cache/entry-meta.js";
export { collectOutputs } from "./cache/output-walk.js";
export { stageCacheSpec } from "./cache/stage-cache-spec.js";
export type {
  CacheEntry,
  CacheEntryMeta,
  CacheEntrySource,
  CachePutRequest,
  CacheStore,
  LogChunk,
  PruneResult,
  StoredOutput,
} from "./cache/cache-store.js";
export { MAX_CACHED_LOG_BYTES } from "./cache/cache-store.js";
export { CACHE_FORMAT_VERSION, describeChanges, fingerprintStage } from "./cache/stage-key.js";
export type { StageFingerprint } from "./cache/stage-key.js";
export { cacheMaxSize, DEFAULT_CACHE_MAX_SIZE } from "./cache/cache-size.js";
export type { CacheMode, StageCacheAccess } from "./engine/stages/stage-cache.js";
export {
  ActorUnknownError,
  ApprovalError,
  InitRefusedError,
  SpecGuardUsageError,
  CacheEntryError,
  ConfigError,
  PipelineCycleError,
  ResumeRefusedError,
  RunNotFoundError,
  SigningKeyError,
  TaskRegistryError,
  UnknownPipelineError,
} from "./errors.js";
export {
  chooseRoot,
  findRegisteringRoot,
  findRepositoryRoot,
  isWorkspaceRoot,
} from "./config/repository-root.js";
export { resolveActor } from "./runs/actor.js";
export { formatSpecGuardReport, runSpecGuard } from "./guard/spec-guard.js";
export type { SpecGuardOptions, SpecGuardReport } from "./guard/spec-guard.js";
export { initRepository } from "./setup/init-repository.js";
export type { InitResult } from "./setup/init-repository.js";
export { buildStarterConfig, starterTaskId, STARTER_PIPELINE_ID } from "./setup/starter-config.js";
export { findRepositoryPackages } from "./setup/workspace-packages.js";
export type { RepositoryPackages, WorkspacePackage } from "./setup/workspace-packages.js";
export { IGNORED_FOLDERS, missingIgnoreEntries } from "./setup/gitignore-entries.js";

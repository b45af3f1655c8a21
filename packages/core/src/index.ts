export { CodexOrchestrator } from "./orchestrator.js";
export type {
  CodexOrchestratorOptions,
  ExecuteOptions,
  ResumeOptions,
  RunResult,
  StartOptions,
} from "./orchestrator.js";
export { EventBus } from "./event-bus.js";
export type { OrchestratorEventName, OrchestratorEvents } from "./event-bus.js";
export { DEFAULT_CONCURRENCY, runLimits, TaskManager } from "./task-manager.js";
export type { RunOutcome, TaskManagerOptions } from "./task-manager.js";
export { CommandPlanner, describePlan, hashPlan } from "./command-planner.js";
export type { ExecutionPlan, PlanItem } from "./command-planner.js";
export { CommandBuilder, latestDecision, runEnvironment } from "./command-builder.js";
export type { ChildRunOutcome, StageContext, StageOutcome } from "./command-builder.js";
export { CommandTester } from "./command-tester.js";
export { CommandReviewer } from "./command-reviewer.js";
export type { RunReview } from "./command-reviewer.js";
export { RunSession } from "./run-session.js";
export { buildStageGraph, resolveNeeds } from "./engine/stage-graph.js";
export type { GraphStage, StageGraph } from "./engine/stage-graph.js";
export { runStageGraph, SiblingFailure } from "./engine/stage-scheduler.js";
export type { RunStageGraphOptions, ScheduledOutcome, ScheduleResult } from "./engine/stage-scheduler.js";
export { applyRunEvent, rebuildManifest } from "./engine/run-state.js";
export { loadRunState, readStateEvents } from "./engine/run-log.js";
export { RunRecorder } from "./engine/run-recorder.js";
export type { PersistMode, RunRecorderOptions } from "./engine/run-recorder.js";
export { REDACTED_FIELDS } from "./engine/value-redaction.js";
export {
  APPROVAL_POLICIES,
  APPROVAL_POLICY_PATTERN,
  ORIGINAL_APPROVAL_POLICIES,
  createApprovalPolicy,
} from "./approval-policy.js";
export type {
  ApprovalPolicy,
  ApprovalPolicyName,
  ApprovalPrompt,
  ApprovalRequest,
  GateDecision,
} from "./approval-policy.js";
export { BUILTIN_PIPELINES, DEFAULT_PIPELINE_ID, DIAGNOSTICS_PIPELINE } from "./builtin-pipelines.js";
export { CONFIG_FILE_NAME, loadConfigFile } from "./config-loader.js";
export type { LoadedConfig } from "./config-loader.js";
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
} from "./workspace.js";
export type { RegisteredProject, ResolvedTaskId, Workspace } from "./workspace.js";
export { defaultPipelineId, listPipelineIds, resolvePipeline } from "./pipeline-registry.js";
export type { ResolvedPipeline, ResolvedStage } from "./pipeline-registry.js";
export { readTaskIndex } from "./task-index.js";
export type { TaskRecord } from "./task-index.js";
export { DEFAULT_SECRET_ENV_PATTERNS, REDACTED, Redactor, StreamRedactor } from "./redaction.js";
export type { RedactorOptions } from "./redaction.js";
export { runShellCommand } from "./process-runner.js";
export type { ProcessOutcome, RunShellCommandOptions } from "./process-runner.js";
export { buildRunStatus } from "./run-status.js";
export { recordApproval } from "./approvals.js";
export type { RecordApprovalOptions, RecordedApproval } from "./approvals.js";
export { prepareResume } from "./resume.js";
export type { PrepareResumeOptions, PreparedResume } from "./resume.js";
export { findLatestRun, listRuns } from "./run-index.js";
export type { RunFilter } from "./run-index.js";
export { EXIT_CODES, exitCodeForRun } from "./exit-codes.js";
export {
  ApprovalError,
  ConfigError,
  PipelineCycleError,
  ResumeRefusedError,
  RunNotFoundError,
  TaskRegistryError,
  UnknownPipelineError,
} from "./errors.js";
export { chooseRoot, findRegisteringRoot } from "./repository-root.js";

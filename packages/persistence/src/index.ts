export {
  InputFileError,
  InvalidIdError,
  LockHeldError,
  ManifestReadError,
  PersistenceError,
  UnsafePathError,
  describeFsError,
} from "./errors.js";
export {
  RESERVED_TASK_IDS,
  createRunId,
  findIdProblem,
  findTaskIdProblem,
  runIdTime,
  slugify,
  stageFileStem,
  validateId,
} from "./ids.js";
export type { ValidateIdOptions } from "./ids.js";
export { compareAscii } from "./ordering.js";
export { resolveLocations, resolveRunPaths, toRepoPath } from "./run-paths.js";
export type { OrchestratorLocations, ResolveLocationsOptions, RunPaths } from "./run-paths.js";
export { assertRunFolderContained, readFileInside } from "./run-folder-containment.js";
export type { ReadTextOptions } from "./safe-fs.js";
export {
  AppendFile,
  appendTextSync,
  ensureDirectory,
  ensureDirectoryInside,
  isInside,
  isSymbolicLink,
  MAX_INPUT_FILE_BYTES,
  readTextIfExists,
  sleepSync,
  writeFileAtomic,
  writeJsonAtomic,
} from "./safe-fs.js";
export { BATCH_BYTES, BATCH_MAX_DELAY_MS, BatchedAppender } from "./batched-append.js";
export type { BatchedAppenderOptions } from "./batched-append.js";
export { JsonSyntaxError, lineAndColumn, parseJsonText } from "./json-text.js";
export { acquireLock, isLockStale, isProcessAlive, readLockHolder, withLock } from "./file-lock.js";
export type { AcquireLockOptions, LockHandle, LockHolder } from "./file-lock.js";
export { claimRunOwnership, readRunOwner, takeOverRunOwnership } from "./run-owner.js";
export {
  isRecordedProcessGone,
  readBootId,
  readProcessIdentity,
  readProcessStat,
} from "./process-identity.js";
export type { ProcessIdentity, ProcessStat } from "./process-identity.js";
export type { RunOwner } from "./run-owner.js";
export { writeCompatPointers } from "./compat-pointers.js";
export type { CompatPointers } from "./compat-pointers.js";
export { readManifest, writeManifest } from "./manifest-file.js";
export { updateStateSnapshot } from "./state-snapshot.js";
export { stateEntryRunId, stateEntryTime, toStateRunEntry } from "./state-run-entry.js";
export type { UpdateStateSnapshotOptions } from "./state-snapshot.js";
export { findRunById, listRunIds, listTaskIds } from "./run-lookup.js";
export type { FoundRun } from "./run-lookup.js";
export { mergeChildRuns, readChildRegistrations, writeChildRegistration } from "./child-registry.js";
export { PersistenceCoordinator } from "./persistence-coordinator.js";
export type {
  PersistOutcome,
  PersistenceCoordinatorOptions,
  RunCompletionSource,
} from "./persistence-coordinator.js";

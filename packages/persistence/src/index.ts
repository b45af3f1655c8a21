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
} from "./layout/ids.js";
export type { ValidateIdOptions } from "./layout/ids.js";
export { compareAscii } from "./files/ordering.js";
export { resolveLocations, resolveRunPaths, toRepoPath } from "./layout/run-paths.js";
export type { OrchestratorLocations, ResolveLocationsOptions, RunPaths } from "./layout/run-paths.js";
export { assertRunFolderContained, readFileInside } from "./layout/run-folder-containment.js";
export type { ReadTextOptions } from "./files/safe-fs.js";
export { AppendFile, appendTextSync } from "./files/append-file.js";
export {
  ensureDirectory,
  ensureDirectoryInside,
  isInside,
  isSymbolicLink,
  MAX_INPUT_FILE_BYTES,
  readTextIfExists,
  sleepSync,
  writeFileAtomic,
  writeJsonAtomic,
} from "./files/safe-fs.js";
export { BATCH_BYTES, BATCH_MAX_DELAY_MS, BatchedAppender } from "./files/batched-append.js";
export type { BatchedAppenderOptions } from "./files/batched-append.js";
export { RunLogs, THREAD_AFTER_BYTES } from "./logs/run-logs.js";
export type { RunLogDigest, RunLogsOptions } from "./logs/run-logs.js";
export { JsonSyntaxError, lineAndColumn, parseJsonText } from "./files/json-text.js";
export { acquireLock, isLockStale, isProcessAlive, readLockHolder, withLock } from "./locks/file-lock.js";
export type { AcquireLockOptions, LockHandle, LockHolder } from "./locks/file-lock.js";
export { claimRunOwnership, readRunOwner, takeOverRunOwnership } from "./locks/run-owner.js";
export {
  isRecordedProcessGone,
  readBootId,
  readProcessIdentity,
  readProcessStat,
} from "./locks/process-identity.js";
export type { ProcessIdentity, ProcessStat } from "./locks/process-identity.js";
export type { RunOwner } from "./locks/run-owner.js";
export { writeCompatPointers } from "./layout/compat-pointers.js";
export type { CompatPointers } from "./layout/compat-pointers.js";
export { readManifest, writeManifest } from "./records/manifest-file.js";
export { updateStateSnapshot } from "./records/state-snapshot.js";
export { stateEntryRunId, stateEntryTime, toStateRunEntry } from "./records/state-run-entry.js";
export type { UpdateStateSnapshotOptions } from "./records/state-snapshot.js";
export { findRunById, listRunIds, listTaskIds } from "./layout/run-lookup.js";
export type { FoundRun } from "./layout/run-lookup.js";
export { mergeChildRuns, readChildRegistrations, writeChildRegistration } from "./records/child-registry.js";
export { PersistenceCoordinator } from "./records/persistence-coordinator.js";
export type {
  PersistOutcome,
  PersistenceCoordinatorOptions,
  RunCompletionSource,
} from "./records/persistence-coordinator.js";
export { readEntryFiles } from "./records/entry-files.js";
export type { EntrySchema } from "./records/entry-files.js";

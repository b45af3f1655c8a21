import path from "node:path";
import { findIdProblem, isSymbolicLink, readManifest } from "@codex/orchestrator-persistence";
import type { ChildRun, CommandEntry, Manifest } from "@codex/orchestrator-schema";
import { LOG_PART_BYTES, readLogExcerpt, type LogExcerpt } from "./log-excerpt.js";

/** One stage of a run with what the report shows of it. */
export interface StageView {
  entry: CommandEntry;
  /** The embedded part of its log; null without a log or once the report's log budget is spent. */
  log: LogExcerpt | null;
  /** Why the log is not embedded, when it has one. */
  logNote: string | null;
  /** The nested run a subpipeline stage started. */
  child: RunView | null;
}

/** A run as the report sees it: the manifest, its stages and, nested, its child runs. */
export interface RunView {
  manifest: Manifest;
  runDir: string;
  stages: StageView[];
  /** Child runs no stage of this run claims (started with `start --parent-run` from a command). */
  otherChildren: RunView[];
  /** Child runs that could not be read, with why. */
  problems: string[];
}

/** Limits that keep a report small whatever the run printed. */
export interface RunViewLimits {
  /** Log bytes embedded across the whole report (default 2 MiB). */
  logBudgetBytes?: number;
  /** Bytes of each log's head and of its tail (default 96 KiB). */
  logPartBytes?: number;
  /** How deep child runs are nested (default 6). */
  maxDepth?: number;
}

/** The default cap on log bytes embedded in one report. */
export const DEFAULT_LOG_BUDGET_BYTES = 2 * 1024 * 1024;

interface ReadState {
  budget: number;
  partBytes: number;
  maxDepth: number;
  seen: Set<string>;
}

/**
 * Reads a run folder (manifest.json and commands/*.ndjson) and its child runs' folders. Only these
 * files are read: their contents were redacted when they were written.
 */
export function readRunView(runDir: string, limits: RunViewLimits = {}): RunView {
  const state: ReadState = {
    budget: limits.logBudgetBytes ?? DEFAULT_LOG_BUDGET_BYTES,
    partBytes: limits.logPartBytes ?? LOG_PART_BYTES,
    maxDepth: limits.maxDepth ?? 6,
    seen: new Set(),
  };
  return readRun(runDir, readManifest(path.join(runDir, "manifest.json")), state, 0);
}

function readRun(runDir: string, manifest: Manifest, state: ReadState, depth: number): RunView {
  state.seen.add(manifest.run_id);
  const problems: string[] = [];
  const children = new Map<string, RunView>();
  if (depth < state.maxDepth) {
    for (const child of manifest.child_runs) {
      if (state.seen.has(child.run_id)) continue;
      const view = readChild(runDir, child, state, depth, problems);
      if (view !== null) children.set(child.run_id, view);
    }
  } else if (manifest.child_runs.length > 0) {
    problems.push(
      `${manifest.child_runs.length} child run(s) nested deeper than ${state.maxDepth} levels are not shown`,
    );
  }
  const stages = manifest.commands.map((entry): StageView => {
    const child = entry.sub_run_id === null ? null : (children.get(entry.sub_run_id) ?? null);
    if (child !== null) children.delete(child.manifest.run_id);
    return { entry, ...readStageLog(runDir, entry, state), child };
  });
  return { manifest, runDir, stages, otherChildren: [...children.values()], problems };
}

function readChild(
  runDir: string,
  child: ChildRun,
  state: ReadState,
  depth: number,
  problems: string[],
): RunView | null {
  const problem = findIdProblem(child.task_id) ?? findIdProblem(child.run_id);
  if (problem !== null) {
    problems.push(`child run ${child.run_id}: ${problem}`);
    return null;
  }
  // Run folders sit at <runs>/<task>/cli/<run>: the child's is found from this run's folder.
  const childDir = path.join(runDir, "..", "..", "..", child.task_id, "cli", child.run_id);
  try {
    if (isSymbolicLink(childDir)) throw new Error(`${childDir} is a symbolic link; not followed`);
    return readRun(childDir, readManifest(path.join(childDir, "manifest.json")), state, depth + 1);
  } catch (error) {
    problems.push(`child run ${child.run_id}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

function readStageLog(
  runDir: string,
  entry: CommandEntry,
  state: ReadState,
): { log: LogExcerpt | null; logNote: string | null } {
  if (entry.log_path === null) return { log: null, logNote: null };
  if (state.budget <= 0) {
    return { log: null, logNote: "not embedded: the report's log budget is spent; open the file" };
  }
  // Logs live in the run's commands/ folder; only the file name of the recorded path is used.
  const log = readLogExcerpt(path.join(runDir, "commands", path.basename(entry.log_path)), state.partBytes);
  if (log === null) return { log: null, logNote: "no log file" };
  state.budget -= Math.min(log.size, state.partBytes * 2);
  return { log, logNote: null };
}

/** Every run of the tree, the given one first. */
export function flattenRuns(view: RunView): RunView[] {
  const out: RunView[] = [view];
  for (const stage of view.stages) if (stage.child !== null) out.push(...flattenRuns(stage.child));
  for (const child of view.otherChildren) out.push(...flattenRuns(child));
  return out;
}

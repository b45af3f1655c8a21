import fs from "node:fs";
import path from "node:path";
import { SpecGuardUsageError } from "../errors.js";
import { BASE_VARIABLE, checkSourceChanges } from "./change-check.js";
import { checkMirrors } from "./mirror-check.js";
import { checkReviewDates, parseReviewDate } from "./review-check.js";

/** Options for {@link runSpecGuard}. */
export interface SpecGuardOptions {
  /** The repository to check. */
  root: string;
  /** The base revision to compare against, and where it came from (`the \`base\` option`). */
  base?: { source: string; revision: string } | undefined;
  /** `SPEC_GUARD_BASE`, `SPEC_GUARD_MAX_AGE_DAYS`, `SPEC_GUARD_TODAY`, `CODEX_ORCHESTRATOR_RUNS_DIR`. */
  env?: NodeJS.ProcessEnv;
}

/** What the spec guard found. */
export interface SpecGuardReport {
  root: string;
  /** How many checks ran (the change check is skipped outside git). */
  checks: number;
  /** One line per finding, tagged with its check: `[review] tasks/specs/…: …`. */
  problems: string[];
  notes: string[];
}

/**
 * The project guardrail (docs/scripts.md): (a) source changes need a spec change, (b) specs were
 * reviewed within `SPEC_GUARD_MAX_AGE_DAYS` (30), (c) the task checklist mirrors agree and cite
 * succeeded runs. Reads the repository only; throws {@link SpecGuardUsageError} for bad settings.
 */
export function runSpecGuard(options: SpecGuardOptions): SpecGuardReport {
  const env = options.env ?? process.env;
  const root = path.resolve(options.root);
  const maxAgeText = env.SPEC_GUARD_MAX_AGE_DAYS || "30";
  if (!/^[0-9]+$/.test(maxAgeText))
    throw new SpecGuardUsageError(
      `SPEC_GUARD_MAX_AGE_DAYS must be a whole number of days, got "${maxAgeText}"`,
    );
  const todayText = env.SPEC_GUARD_TODAY || new Date().toISOString().slice(0, 10);
  const today = parseReviewDate(todayText);
  const report: SpecGuardReport = { root, checks: 0, problems: [], notes: [] };
  const envBase = env[BASE_VARIABLE];
  const base =
    options.base ??
    (envBase !== undefined && envBase !== "" ? { source: BASE_VARIABLE, revision: envBase } : null);

  // A repository that keeps no task records (yet) has no specs to change and no checklists to compare.
  const keepsTasks =
    fs.existsSync(path.join(root, "tasks", "index.json")) || fs.existsSync(path.join(root, "tasks", "specs"));
  const changes = keepsTasks
    ? checkSourceChanges({ root, base })
    : { skipped: true as const, note: "no tasks/index.json or tasks/specs/; only the review check runs" };
  if (changes.skipped) report.notes.push(changes.note);
  else {
    report.checks += 1;
    report.problems.push(...changes.problems);
  }

  report.checks += 1;
  if (today === null)
    report.problems.push(`[review] SPEC_GUARD_TODAY must be YYYY-MM-DD, got "${todayText}"`);
  else
    for (const problem of checkReviewDates({ root, today, maxAgeDays: Number(maxAgeText) }))
      report.problems.push(`[review] ${problem}`);

  if (!keepsTasks) return report;
  report.checks += 1;
  const runsDir = env.CODEX_ORCHESTRATOR_RUNS_DIR;
  const mirrors = checkMirrors({
    root,
    runsDir: runsDir === undefined || runsDir === "" ? undefined : path.resolve(root, runsDir),
  });
  for (const problem of mirrors.problems) {
    const location = problem.line === null ? problem.file : `${problem.file}:${problem.line}`;
    report.problems.push(`[mirrors] ${location}: ${problem.message}`);
  }
  return report;
}

/**
 * The guard's text output, one line each: the root, the findings, then `N problem(s) found` (with
 * `(dry run: not failing)`) or `OK (N checks)`. A guardrail stage's summary is its last line, so
 * the guardrail line of a run counts these problems (telemetry's reportedProblems).
 */
export function formatSpecGuardReport(
  report: SpecGuardReport,
  options: { dryRun: boolean; taskId?: string | undefined },
): string[] {
  const lines = [`spec-guard: checking ${report.root}${options.taskId ? ` (task ${options.taskId})` : ""}`];
  for (const note of report.notes) lines.push(`spec-guard: note: ${note}`);
  for (const problem of report.problems) lines.push(`spec-guard: ${problem}`);
  const count = report.problems.length;
  if (count === 0) lines.push(`spec-guard: OK (${report.checks} checks)`);
  else lines.push(`spec-guard: ${count} problem(s) found${options.dryRun ? " (dry run: not failing)" : ""}`);
  return lines;
}

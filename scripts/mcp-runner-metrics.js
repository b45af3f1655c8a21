#!/usr/bin/env node
// Summarises <runs>/<task>/metrics.json (JSON Lines, docs/contract.md §3.3) into metrics-summary.json beside it.
// The summary keeps every key of the original CLI's script (entries_total, entries_succeeded,
// entries_failed, metrics_file, parse_errors, …) beside ours, and takes its --summarize flag.
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { parseFlags } from "./lib/arguments.mjs";

const USAGE = "usage: mcp-runner-metrics.js [--summarize] [--task <id>] [--runs-dir <dir>]";

/** Prints a one-line error and exits with `code`. */
function fail(message, code) {
  process.stderr.write(`mcp-runner-metrics: ${message}\n${code === 2 ? `${USAGE}\n` : ""}`);
  process.exit(code);
}

/** Why `id` cannot be used in a path, or null when it is fine (docs/contract.md §2). */
function invalidIdReason(id) {
  if (id.length === 0) return "is empty";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) return "contains a control character";
  if (id.includes("/") || id.includes("\\")) return "contains a path separator";
  if (id.includes("..")) return 'contains ".."';
  if (id.startsWith(".")) return 'starts with "."';
  if (/[<>:"|?*]/.test(id)) return 'contains one of < > : " | ? *';
  return null;
}

/** Parses argv; flags accept `--flag value` and `--flag=value`. */
function parseArguments(argv) {
  // --summarize is the original script's (only) mode, kept so its callers keep working.
  const values = parseFlags(
    argv.filter((argument) => argument !== "--summarize"),
    {
      flags: ["task", "runs-dir"],
      usage: USAGE,
      onError: (message) => fail(message, 2),
    },
  );
  return { task: values.task, runsDir: values["runs-dir"] };
}

/** Rounds to `digits` decimals, keeping null. */
function round(value, digits) {
  if (value === null) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Reads metrics lines one at a time so large files are never held whole in memory. A missing file
 * summarises as no entries (the original script did the same).
 */
async function summarise(metricsFile, taskId, displayFile) {
  let entries = 0;
  let succeeded = 0;
  let failed = 0;
  let withGuardrails = 0;
  let durationTotal = 0;
  let durationCount = 0;
  let first = null;
  let last = null;
  let malformed = 0;
  let lineNumber = 0;
  const parseErrors = [];
  const lines = existsSync(metricsFile)
    ? createInterface({ input: createReadStream(metricsFile, "utf8"), crlfDelay: Infinity })
    : [];
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === "") continue;
    let entry;
    let parseError = "not a JSON object";
    try {
      entry = JSON.parse(line);
    } catch (error) {
      entry = undefined;
      parseError = error.message;
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      malformed += 1;
      parseErrors.push({ error: parseError, raw: line.trim(), line: lineNumber });
      process.stderr.write(
        `mcp-runner-metrics: warning: ${metricsFile}:${lineNumber}: skipped malformed line\n`,
      );
      continue;
    }
    entries += 1;
    if (entry.status === "succeeded") succeeded += 1;
    else if (entry.status === "failed") failed += 1;
    if (entry.guardrails_present === true) withGuardrails += 1;
    if (typeof entry.duration_seconds === "number" && Number.isFinite(entry.duration_seconds)) {
      durationTotal += entry.duration_seconds;
      durationCount += 1;
    }
    const recordedAt = typeof entry.recorded_at === "string" ? Date.parse(entry.recorded_at) : Number.NaN;
    if (!Number.isNaN(recordedAt)) {
      if (first === null || recordedAt < first.time) first = { time: recordedAt, text: entry.recorded_at };
      if (last === null || recordedAt > last.time) last = { time: recordedAt, text: entry.recorded_at };
    }
  }
  return {
    generated_at: new Date().toISOString(),
    task_id: taskId,
    metrics_file: displayFile,
    entries_total: entries,
    entries_succeeded: succeeded,
    entries_failed: failed,
    success_rate: entries === 0 ? null : round(succeeded / entries, 4),
    guardrail_coverage: entries === 0 ? null : round(withGuardrails / entries, 4),
    average_duration_seconds: durationCount === 0 ? null : round(durationTotal / durationCount, 3),
    parse_errors: parseErrors,
    entries,
    succeeded,
    failed,
    first_recorded_at: first?.text ?? null,
    last_recorded_at: last?.text ?? null,
    malformed_lines: malformed,
  };
}

const options = parseArguments(process.argv.slice(2));
const [taskId, taskSource] =
  options.task !== undefined
    ? [options.task, "--task"]
    : process.env.MCP_RUNNER_TASK_ID !== undefined && process.env.MCP_RUNNER_TASK_ID !== ""
      ? [process.env.MCP_RUNNER_TASK_ID, "MCP_RUNNER_TASK_ID"]
      : ["0101", "default"];
const reason = invalidIdReason(taskId);
if (reason) fail(`invalid task id from ${taskSource} ${JSON.stringify(taskId)}: ${reason}`, 2);

const root = process.env.CODEX_ORCHESTRATOR_ROOT || process.cwd();
const runsDir = path.resolve(
  options.runsDir ?? (process.env.CODEX_ORCHESTRATOR_RUNS_DIR || path.join(path.resolve(root), ".runs")),
);
const metricsFile = path.join(runsDir, taskId, "metrics.json");
// A task with no metrics yet still gets a summary (no entries) and exits 0, as the original did.
if (!existsSync(metricsFile))
  process.stderr.write(`mcp-runner-metrics: note: no metrics for task ${taskId} yet (${metricsFile})\n`);

let summary;
try {
  const displayFile = path.relative(path.resolve(root), metricsFile).split(path.sep).join("/");
  summary = await summarise(metricsFile, taskId, displayFile);
} catch (error) {
  fail(`cannot read ${metricsFile}: ${error.message}`, 1);
}
const summaryFile = path.join(path.dirname(metricsFile), "metrics-summary.json");
// Write beside the target and rename so readers never see a half-written summary.
const temporaryFile = `${summaryFile}.${process.pid}.${Date.now()}.tmp`;
try {
  mkdirSync(path.dirname(summaryFile), { recursive: true });
  writeFileSync(temporaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  renameSync(temporaryFile, summaryFile);
} catch (error) {
  rmSync(temporaryFile, { force: true });
  fail(`cannot write ${summaryFile}: ${error.message}`, 1);
}
process.stdout.write(`${summaryFile}\n`);

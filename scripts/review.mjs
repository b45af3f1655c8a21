#!/usr/bin/env node
// `pnpm review`: shows the latest run of the task and the manifest line to paste into a checklist.
import { readFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { resolveCli, runCli } from "./lib/cli.mjs";

const USAGE = "usage: review.mjs   (reviews the latest run of $MCP_RUNNER_TASK_ID, or of any task)";

const argv = process.argv.slice(2);
if (argv[0] === "-h" || argv[0] === "--help") {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (argv.length > 0) {
  process.stderr.write(`review: unexpected argument "${argv[0]}"\n${USAGE}\n`);
  process.exit(2);
}

/** The last line of the manifest summary (the guardrail summary, docs/contract.md §3.1). */
function guardrailLine(status) {
  let summary = typeof status.summary === "string" ? status.summary : null;
  if (summary === null && typeof status.manifest === "string") {
    const root = process.env.CODEX_ORCHESTRATOR_ROOT || process.cwd();
    try {
      summary = JSON.parse(readFileSync(path.resolve(root, status.manifest), "utf8")).summary;
    } catch {
      return "Guardrails: unknown (manifest not readable)";
    }
  }
  const lines =
    typeof summary === "string" ? summary.split(/\r?\n/).filter((line) => line.trim() !== "") : [];
  return lines.at(-1) ?? "Guardrails: unknown (empty summary)";
}

const cli = resolveCli();
if (cli.error) {
  process.stderr.write(`review: ${cli.error}\n`);
  process.exit(2);
}
const task = process.env.MCP_RUNNER_TASK_ID;
const args = ["status", "--latest", ...(task ? ["--task", task] : []), "--format", "json"];
let result;
try {
  result = await runCli(cli, args, { captureStdout: true });
} catch (error) {
  process.stderr.write(`review: ${error.message}\n`);
  process.exit(2);
}
const exitCode = result.code ?? 1;
let status;
try {
  status = JSON.parse(result.stdout);
} catch {
  process.stderr.write(`review: "status --latest" printed no JSON (exit ${result.signal ?? exitCode})\n`);
  process.exit(exitCode === 0 ? 1 : exitCode);
}
const lines = [
  `Run:      ${status.run_id ?? "unknown"}${status.task_id ? ` (task ${status.task_id}` : ""}${
    status.pipeline_id ? `, pipeline ${status.pipeline_id})` : status.task_id ? ")" : ""
  }`,
  `Status:   ${status.status ?? "unknown"}${status.status_detail ? ` (${status.status_detail})` : ""}`,
  guardrailLine(status),
  `Manifest: ${status.manifest ?? "unknown"}`,
];
process.stdout.write(`${lines.join("\n")}\n`);
process.exit(exitCode);

import fs from "node:fs";
import path from "node:path";
import {
  findRepositoryRoot,
  formatSpecGuardReport,
  runSpecGuard,
  SpecGuardUsageError,
} from "@codex/orchestrator-core";
import { printJson } from "../terminal.js";

const USAGE = "usage: codex-orchestrator spec-guard [--dry-run] [--base <git-rev>] [--format text|json]";

/**
 * `spec-guard [--dry-run] [--base <rev>]`: the project guardrail (docs/scripts.md). Exit 0 clean (or
 * any findings with --dry-run), 1 findings, 2 bad usage; bad settings are reported as
 * `spec-guard: …` on stderr, as scripts/spec-guard.sh always did.
 */
export async function runSpecGuardCommand(argv: {
  dryRun?: boolean | undefined;
  base?: string | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  const env = process.env;
  try {
    if (argv.base !== undefined && argv.base === "")
      throw new SpecGuardUsageError("--base needs a git revision");
    const report = runSpecGuard({
      root: argv.root ?? guardRoot(env),
      env,
      ...(argv.base === undefined ? {} : { base: { source: "--base", revision: argv.base } }),
    });
    const dryRun = argv.dryRun === true;
    if (argv.format === "json") {
      printJson({ ok: report.problems.length === 0, dry_run: dryRun, ...report });
    } else {
      const taskId = env.MCP_RUNNER_TASK_ID;
      process.stdout.write(`${formatSpecGuardReport(report, { dryRun, taskId }).join("\n")}\n`);
    }
    return report.problems.length === 0 || dryRun ? 0 : 1;
  } catch (error) {
    if (!(error instanceof SpecGuardUsageError)) throw error;
    process.stderr.write(`spec-guard: ${error.message}\n${USAGE}\n`);
    return 2;
  }
}

// Without --root: CODEX_ORCHESTRATOR_ROOT, else the repository found from the cwd (as every command finds it).
function guardRoot(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.CODEX_ORCHESTRATOR_ROOT;
  if (fromEnv !== undefined && fromEnv !== "") {
    const root = path.resolve(fromEnv);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory())
      throw new SpecGuardUsageError(`CODEX_ORCHESTRATOR_ROOT is not a directory: ${fromEnv}`);
    return root;
  }
  return findRepositoryRoot(process.cwd()) ?? process.cwd();
}

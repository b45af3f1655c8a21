import { CodexOrchestrator } from "@codex/orchestrator-core";
import type { RunStatus } from "@codex/orchestrator-schema";
import { UsageError } from "../errors.js";
import { renderRunsTable } from "./runs-table.js";
import { printJson } from "../terminal.js";
import { rootOptions } from "../usage/root-option.js";

const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: an ISO date/time, or a duration back from now (`90m`, `12h`, `7d`). */
export function parseSince(value: string, now: Date = new Date()): Date {
  const duration = DURATION.exec(value.trim());
  if (duration !== null)
    return new Date(now.getTime() - Number(duration[1]) * (UNIT_MS[duration[2] as string] as number));
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--since: "${value}" is neither a date (2025-10-31) nor a duration (90m, 12h, 7d)`);
  return date;
}

/** `runs`: top-level runs across tasks (children too with `--all`), newest first, filtered. */
export async function runRuns(argv: {
  task?: string | undefined;
  status?: string | undefined;
  pipeline?: string | undefined;
  parent?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
  all?: boolean | undefined;
  html?: boolean | undefined;
  out?: string | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  if (argv.limit !== undefined && (!Number.isInteger(argv.limit) || argv.limit < 1)) {
    throw new UsageError(`--limit must be a positive whole number (got ${argv.limit})`);
  }
  if (argv.out !== undefined && !argv.html) throw new UsageError("--out goes with --html");
  const orchestrator = new CodexOrchestrator(rootOptions(argv));
  const filter = {
    ...(argv.task === undefined ? {} : { taskId: argv.task }),
    ...(argv.status === undefined ? {} : { status: argv.status as RunStatus | "unreadable" }),
    ...(argv.pipeline === undefined ? {} : { pipelineId: argv.pipeline }),
    ...(argv.parent === undefined ? {} : { parentRunId: argv.parent }),
    ...(argv.since === undefined ? {} : { since: parseSince(argv.since) }),
    ...(argv.limit === undefined ? {} : { limit: argv.limit }),
    ...(argv.all === true ? { includeChildren: true } : {}),
  };
  if (argv.html) {
    const { writeIndexPage } = await import("./report.js");
    return writeIndexPage(orchestrator, { out: argv.out, format: argv.format, filter });
  }
  const rows = await orchestrator.listRuns(filter);
  if (argv.format === "json") {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write("No runs match.\n");
    return 0;
  }
  process.stdout.write(renderRunsTable(rows));
  return 0;
}

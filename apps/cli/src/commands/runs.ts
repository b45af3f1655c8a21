import { CodexOrchestrator } from "@codex/orchestrator-core";
import type { RunStatus } from "@codex/orchestrator-schema";
import { UsageError } from "../errors.js";
import { printJson } from "../terminal.js";

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

/** `runs`: every run across tasks, newest first, filtered. */
export async function runRuns(argv: {
  task?: string | undefined;
  status?: string | undefined;
  pipeline?: string | undefined;
  parent?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
  html?: boolean | undefined;
  out?: string | undefined;
  format: string;
}): Promise<number> {
  if (argv.limit !== undefined && (!Number.isInteger(argv.limit) || argv.limit < 1)) {
    throw new UsageError(`--limit must be a positive whole number (got ${argv.limit})`);
  }
  if (argv.out !== undefined && !argv.html) throw new UsageError("--out goes with --html");
  const orchestrator = new CodexOrchestrator();
  const filter = {
    ...(argv.task === undefined ? {} : { taskId: argv.task }),
    ...(argv.status === undefined ? {} : { status: argv.status as RunStatus | "unreadable" }),
    ...(argv.pipeline === undefined ? {} : { pipelineId: argv.pipeline }),
    ...(argv.parent === undefined ? {} : { parentRunId: argv.parent }),
    ...(argv.since === undefined ? {} : { since: parseSince(argv.since) }),
    ...(argv.limit === undefined ? {} : { limit: argv.limit }),
  };
  if (argv.html) {
    const { writeIndexPage } = await import("./report.js");
    return writeIndexPage(orchestrator, { out: argv.out, format: argv.format, filter });
  }
  const rows = orchestrator.listRuns(filter);
  if (argv.format === "json") {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write("No runs match.\n");
    return 0;
  }
  const header = ["RUN ID", "TASK", "PIPELINE", "STATUS", "DURATION", "APPROVALS", "GUARDRAILS"];
  const table = rows.map((row) => [
    row.run_id,
    row.task_id,
    row.pipeline_id ?? "-",
    row.status,
    row.duration_seconds === null ? "-" : `${row.duration_seconds}s`,
    String(row.approvals),
    // An unreadable run says why where the guardrail line would be.
    row.status === "unreadable" ? (row.reason ?? "") : row.guardrails.replace(/^Guardrails: /, ""),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...table.map((cells) => (cells[column] as string).length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] as number)))
      .join("  ");
  process.stdout.write(`${[render(header), ...table.map(render)].join("\n")}\n`);
  return 0;
}

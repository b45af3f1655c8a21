import type { CommandEntry, StatusOutput } from "@codex/orchestrator-schema";
import { formatDuration, type Painter } from "../terminal.js";
import { fitSegments, truncateText } from "./terminal-text.js";

/** One stage of the closing summary. */
export interface SummaryRow {
  index: number;
  stageId: string;
  /** `succeeded`, `failed`, `skipped`, `not run`, `waiting`, `pending`, `running`. */
  label: string;
  durationMs: number | null;
  note: string;
}

const NOTE_MAX = 100;

function labelOf(entry: CommandEntry, waiting: readonly string[]): string {
  if (entry.status !== "pending") return entry.status;
  if (waiting.includes(entry.id)) return "waiting";
  return entry.status_detail?.startsWith("not run") ? "not run" : "pending";
}

/** The stages of a run as the summary shows them: status, how long, and why when it did not succeed. */
export function summaryRows(status: StatusOutput): SummaryRow[] {
  const waiting = status.pending_approvals ?? [];
  return status.commands.map((entry) => {
    const label = labelOf(entry, waiting);
    const durationMs =
      entry.started_at !== null && entry.completed_at !== null && entry.status !== "pending"
        ? Math.max(0, Date.parse(entry.completed_at) - Date.parse(entry.started_at))
        : null;
    const note =
      label === "succeeded"
        ? entry.kind === "subpipeline"
          ? (entry.summary ?? "")
          : ""
        : label === "waiting"
          ? "awaiting approval"
          : (entry.status_detail ?? entry.summary ?? "");
    return { index: entry.index, stageId: entry.id, label, durationMs, note: note.replace(/\s+/g, " ") };
  });
}

/** `5 stages: 3 succeeded, 1 failed, 1 not run`. */
export function countLine(rows: readonly SummaryRow[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.label, (counts.get(row.label) ?? 0) + 1);
  const order = ["succeeded", "failed", "skipped", "waiting", "not run", "pending", "running"];
  const parts = order.filter((label) => counts.has(label)).map((label) => `${counts.get(label)} ${label}`);
  return `${rows.length} stage${rows.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

/** The mark before a row and its colour. */
function markOf(label: string, painter: Painter): { text: string; paint: (text: string) => string } {
  switch (label) {
    case "succeeded":
      return { text: "✔", paint: painter.green };
    case "failed":
      return { text: "✖", paint: painter.red };
    case "skipped":
      return { text: "⚠", paint: painter.yellow };
    case "waiting":
      return { text: "⏸", paint: painter.yellow };
    default:
      return { text: "·", paint: painter.dim };
  }
}

/**
 * The table printed when a run ends: one row per stage (mark, id, status, duration, why), the counts
 * and the total time; rows are cut to the terminal's width when there is one.
 */
export function renderSummaryTable(options: {
  status: StatusOutput;
  elapsedMs: number;
  painter: Painter;
  columns: number;
}): string[] {
  const { status, painter, columns } = options;
  const rows = summaryRows(status);
  const idWidth = Math.min(24, Math.max(5, ...rows.map((row) => `[${row.index}] ${row.stageId}`.length)));
  const width = columns > 0 ? columns - 1 : Number.MAX_SAFE_INTEGER;
  const lines = [
    painter.bold(`Summary: ${status.pipeline_id} ${status.status} in ${formatDuration(options.elapsedMs)}`),
  ];
  for (const row of rows) {
    const name = truncateText(`[${row.index}] ${row.stageId}`, idWidth).padEnd(idWidth);
    const duration = row.durationMs === null ? "—" : formatDuration(row.durationMs);
    lines.push(
      fitSegments(
        [
          { text: "  " },
          markOf(row.label, painter),
          { text: ` ${name}  ${row.label.padEnd(9)}  ${duration.padStart(7)}` },
          { text: row.note === "" ? "" : `  ${truncateText(row.note, NOTE_MAX)}`, paint: painter.dim },
        ],
        width,
      ),
    );
  }
  lines.push(`  ${countLine(rows)} · ${formatDuration(options.elapsedMs)}`);
  return lines;
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The same summary as Markdown, for a GitHub Actions job summary. */
export function renderSummaryMarkdown(options: {
  status: StatusOutput;
  elapsedMs: number;
  failedStage: { stageId: string; tail: string[] } | null;
  nextStep: string | null;
}): string {
  const { status } = options;
  const rows = summaryRows(status);
  const lines = [
    `### codex-orchestrator: ${status.pipeline_id} ${status.status}`,
    "",
    `Run \`${status.run_id}\` (task ${status.task_id}): ${countLine(rows)} in ${formatDuration(options.elapsedMs)}.`,
    "",
    "| # | Stage | Status | Duration | Detail |",
    "| --: | --- | --- | --: | --- |",
    ...rows.map(
      (row) =>
        `| ${row.index} | ${markdownCell(row.stageId)} | ${row.label} | ${row.durationMs === null ? "—" : formatDuration(row.durationMs)} | ${markdownCell(row.note)} |`,
    ),
  ];
  if (options.failedStage !== null && options.failedStage.tail.length > 0) {
    // A fence longer than any run of backticks in the output keeps it one code block.
    const runs = options.failedStage.tail.flatMap((line) =>
      [...line.matchAll(/`+/g)].map((run) => run[0].length),
    );
    const longest = Math.max(2, ...runs);
    const fence = "`".repeat(longest + 1);
    lines.push(
      "",
      `Last lines of ${options.failedStage.stageId}:`,
      "",
      fence,
      ...options.failedStage.tail,
      fence,
    );
  }
  if (options.nextStep !== null) lines.push("", `Next: \`${options.nextStep}\``);
  return `${lines.join("\n")}\n`;
}

import type { RunListEntry } from "@codex/orchestrator-schema";

const HEADER = ["RUN ID", "TASK", "PIPELINE", "STATUS", "BUSY", "PAUSED", "APPROVALS", "GUARDRAILS"];

const secondsText = (value: number | null | undefined) =>
  value === null || value === undefined ? "-" : `${value}s`;

/**
 * Puts each child run right under its parent (and its children under it), when the parent is
 * listed; the rest keep the newest-first order. Returns each row with its depth.
 */
export function nestChildren(rows: readonly RunListEntry[]): { row: RunListEntry; depth: number }[] {
  const listed = new Set(rows.map((row) => row.run_id));
  const children = new Map<string, RunListEntry[]>();
  for (const row of rows) {
    if (row.parent_run_id === null || !listed.has(row.parent_run_id)) continue;
    const siblings = children.get(row.parent_run_id) ?? [];
    // Oldest child first under a parent: the order its stages ran in.
    siblings.unshift(row);
    children.set(row.parent_run_id, siblings);
  }
  const ordered: { row: RunListEntry; depth: number }[] = [];
  const visit = (row: RunListEntry, depth: number) => {
    ordered.push({ row, depth });
    for (const child of children.get(row.run_id) ?? []) visit(child, depth + 1);
  };
  for (const row of rows) if (row.parent_run_id === null || !listed.has(row.parent_run_id)) visit(row, 0);
  return ordered;
}

/** The text table of `runs`: children indented under their parent, busy time apart from time paused. */
export function renderRunsTable(rows: readonly RunListEntry[]): string {
  const table = nestChildren(rows).map(({ row, depth }) => [
    depth === 0 ? row.run_id : `${"  ".repeat(depth - 1)}└ ${row.run_id}`,
    row.task_id,
    row.pipeline_id ?? "-",
    row.status,
    secondsText(row.busy_seconds === undefined ? row.duration_seconds : row.busy_seconds),
    row.paused_seconds ? `${row.paused_seconds}s` : "-",
    String(row.approvals),
    // An unreadable run says why where the guardrail line would be.
    row.status === "unreadable" ? (row.reason ?? "") : row.guardrails.replace(/^Guardrails: /, ""),
  ]);
  const widths = HEADER.map((title, column) =>
    Math.max(title.length, ...table.map((cells) => (cells[column] as string).length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] as number)))
      .join("  ");
  return `${[render(HEADER), ...table.map(render)].join("\n")}\n`;
}

import type { RunListEntry } from "@codex/orchestrator-schema";
import { html, joinHtml, type Html } from "./escape.js";
import { renderPage } from "./page-shell.js";
import { formatDuration } from "./timeline-layout.js";

/** One run of the index page, with the link to its report (relative to the page). */
export interface IndexRow {
  run: RunListEntry;
  /** The report's address relative to the index page, or null when the run has none. */
  reportHref: string | null;
}

/**
 * The page of runs: filters by task, status and pipeline, each run linking its report, child runs
 * listed under their parents.
 */
export function renderRunIndex(rows: readonly IndexRow[], options: { generatedAt?: string } = {}): string {
  const byParent = new Map<string | null, IndexRow[]>();
  const ids = new Set(rows.map((row) => row.run.run_id));
  for (const row of rows) {
    // A child whose parent is not listed is shown at the top level.
    const parent =
      row.run.parent_run_id !== null && ids.has(row.run.parent_run_id) ? row.run.parent_run_id : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), row]);
  }
  const ordered: { row: IndexRow; depth: number }[] = [];
  const visit = (parent: string | null, depth: number) => {
    for (const row of byParent.get(parent) ?? []) {
      ordered.push({ row, depth });
      if (depth < 20) visit(row.run.run_id, depth + 1);
    }
  };
  visit(null, 0);
  const filter = (name: string, label: string, values: Iterable<string>) =>
    html`<label
      >${label}
      <select data-filter="${name}">
        <option value="">all</option>
        ${joinHtml(
          [...new Set(values)].sort().map((value) => html`<option value="${value}">${value}</option>`),
        )}
      </select></label
    >`;
  const body = html`<h1>Runs</h1>
    <div class="filters">
      ${filter(
        "task",
        "Task",
        rows.map((row) => row.run.task_id),
      )}${filter(
        "status",
        "Status",
        rows.map((row) => row.run.status),
      )}${filter(
        "pipeline",
        "Pipeline",
        rows.map((row) => row.run.pipeline_id ?? "-"),
      )}<span class="muted"><span id="shown-count">${rows.length}</span> of ${rows.length} runs</span>
    </div>
    <table class="runs">
      <thead>
        <tr>
          <th>run</th>
          <th>status</th>
          <th>task</th>
          <th>pipeline</th>
          <th>started</th>
          <th>duration</th>
          <th>guardrails</th>
        </tr>
      </thead>
      <tbody>
        ${joinHtml(ordered.map(({ row, depth }) => renderRow(row, depth)))}
      </tbody>
    </table>
    <p class="muted">Generated ${options.generatedAt ?? new Date().toISOString()}.</p>`;
  return renderPage({ title: "Runs", body });
}

function renderRow(row: IndexRow, depth: number): Html {
  const { run } = row;
  const label = html`${depth > 0 ? "↳ " : ""}${run.run_id}`;
  return html`<tr
    data-run="${run.run_id}"
    data-task="${run.task_id}"
    data-status="${run.status}"
    data-pipeline="${run.pipeline_id ?? "-"}"
    ${depth > 0 ? html` class="child-row" data-parent="${run.parent_run_id ?? ""}"` : ""}
  >
    <td class="mono" style="padding-left:${8 + depth * 20}px">
      ${row.reportHref === null ? label : html`<a href="${row.reportHref}">${label}</a>`}
    </td>
    <td><span class="badge s-${run.status}">${run.status}</span></td>
    <td>${run.task_id}</td>
    <td>${run.pipeline_id ?? "-"}</td>
    <td class="mono">${run.started_at}</td>
    <td>${run.duration_seconds === null ? "–" : formatDuration(run.duration_seconds * 1000)}</td>
    <td>${run.status === "unreadable" ? (run.reason ?? "") : run.guardrails.replace(/^Guardrails: /, "")}</td>
  </tr>`;
}

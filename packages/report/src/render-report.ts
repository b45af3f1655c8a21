import type { Manifest } from "@codex/orchestrator-schema";
import { html, joinHtml, type Html } from "./escape.js";
import { renderExtraFields, renderObjectFields } from "./field-values.js";
import { renderPage } from "./page-shell.js";
import { renderDecisions } from "./render-events.js";
import { formatBytes, renderLogLines, renderStageLog } from "./render-log.js";
import { renderChildRun, renderLanes, renderStageList, stageElementId } from "./render-timeline.js";
import type { RunView } from "./run-view.js";
import { durationBetween, formatDuration } from "./timeline-layout.js";
import { buildVerdict } from "./verdict.js";

// Manifest fields shown in the facts or elsewhere; any other field is listed as recorded.
const KNOWN_RUN_FIELDS = new Set([
  "version",
  "task_id",
  "task_slug",
  "run_id",
  "parent_run_id",
  "pipeline_id",
  "pipeline_title",
  "runner",
  "approval_policy",
  "status",
  "status_detail",
  "started_at",
  "updated_at",
  "completed_at",
  "heartbeat_at",
  "heartbeat_interval_seconds",
  "heartbeat_stale_after_seconds",
  "artifact_root",
  "compat_path",
  "log_path",
  "summary",
  "metrics_recorded",
  "resume_token",
  "resume_events",
  "approvals",
  "commands",
  "child_runs",
  "run_summary_path",
  "plan_hash",
  "pipeline_source",
  "concurrency",
  "continue_on_failure",
  "event_seq",
  "provenance",
]);

/** Options for {@link renderRunReport}. */
export interface RenderReportOptions {
  /** When the page was made (default now). */
  generatedAt?: string;
  /** The cap on embedded log bytes the view was read with, named on the page. */
  logBudgetBytes?: number;
}

/**
 * The run's report as one self-contained HTML page: the verdict first, then the facts, the
 * timeline with nested child runs, the logs and the decisions. A pure function of the view.
 */
export function renderRunReport(view: RunView, options: RenderReportOptions = {}): string {
  const { manifest } = view;
  const body = html`<h1>
      ${manifest.pipeline_title || manifest.pipeline_id} <span class="muted">· run ${manifest.run_id}</span>
    </h1>
    ${renderVerdict(view)}
    <h2>Run</h2>
    ${renderFacts(manifest)}
    <h2>Timeline</h2>
    ${renderRunTimeline(view)}
    <h2>Logs</h2>
    <div class="search">
      <label for="log-search">Search the logs</label
      ><input id="log-search" type="search" placeholder="text in any log line" autocomplete="off" /><span
        id="search-count"
        class="muted"
        aria-live="polite"
      ></span>
    </div>
    ${renderLogs(view)}
    <h2>Approvals and resume events</h2>
    ${renderDecisions(manifest)}
    <p class="muted">
      Generated ${options.generatedAt ?? new Date().toISOString()} from
      ${manifest.artifact_root}/manifest.json and the stage logs beside it. Logs are embedded up to
      ${formatBytes(options.logBudgetBytes ?? 2 * 1024 * 1024)} in all; larger logs show their first and last
      part.
    </p>`;
  return renderPage({ title: `${manifest.status} · ${manifest.pipeline_id} · ${manifest.run_id}`, body });
}

function renderVerdict(view: RunView): Html {
  const { manifest } = view;
  const verdict = buildVerdict(view);
  const failing = verdict.failing;
  return html`<section class="verdict v-${manifest.status}" id="verdict">
    <div class="status">
      <span class="badge s-${manifest.status}">${manifest.status}</span> ${manifest.status_detail ?? ""}
    </div>
    ${
      failing === null
        ? ""
        : html`<h3>
              Failing stage:
              <a
                href="#${stageElementId(failing.runs.at(-1)?.manifest.run_id ?? "", failing.stage.entry.id, "stage")}"
                >${failing.stage.entry.id}</a
              >
              <span class="muted"
                >${failing.stage.entry.title}${failing.stage.entry.exit_code === null ? "" : ` · exit ${failing.stage.entry.exit_code}`}${failing.runs.length > 1 ? ` · in child run ${failing.runs.at(-1)?.manifest.run_id ?? ""}` : ""}</span
              >
            </h3>
            ${failing.stage.entry.summary === null ? "" : html`<div>${failing.stage.entry.summary}</div>`}
            ${
              failing.lastLines.length === 0
                ? ""
                : html`<div class="log">
                    <div class="muted">Last lines:</div>
                    <pre class="last-lines">${renderLogLines(failing.lastLines)}</pre>
                  </div>`
            }`
    }
    ${verdict.guardrail === null ? "" : html`<div class="guardrail">${verdict.guardrail}</div>`}
    ${
      verdict.next.length === 0
        ? ""
        : html`<div>To continue:</div>
            <pre class="next">${verdict.next.join("\n")}</pre>`
    }
  </section>`;
}

function renderFacts(manifest: Manifest): Html {
  const facts: [string, unknown][] = [
    ["pipeline", `${manifest.pipeline_id}${manifest.pipeline_title ? ` (${manifest.pipeline_title})` : ""}`],
    ["task", `${manifest.task_id}${manifest.task_slug ? ` (${manifest.task_slug})` : ""}`],
    ["run", manifest.run_id],
    ["parent run", manifest.parent_run_id],
    [
      "duration",
      formatDuration(durationBetween(manifest.started_at, manifest.completed_at ?? manifest.updated_at)),
    ],
    ["started", manifest.started_at],
    ["completed", manifest.completed_at],
    ["approval policy", manifest.approval_policy],
    ["concurrency", manifest.concurrency],
    ["continue on failure", manifest.continue_on_failure],
    ["plan hash", manifest.plan_hash],
    ["pipeline source", manifest.pipeline_source],
    ["manifest", `${manifest.artifact_root}/manifest.json`],
  ];
  const provenance = (manifest as Record<string, unknown>)["provenance"];
  return html`<dl class="facts">
      ${joinHtml(
        facts
          .filter(([, value]) => value !== null && value !== undefined)
          .map(
            ([name, value]) =>
              html`<dt>${name}</dt>
                <dd>${String(value)}</dd>`,
          ),
      )}
    </dl>
    ${
      provenance === undefined || provenance === null
        ? ""
        : html`<h3>Provenance</h3>
            <dl class="facts">${joinHtml(renderObjectFields(provenance))}</dl>`
    }
    ${renderExtraFields(manifest, KNOWN_RUN_FIELDS)}
    <details>
      <summary>Summary</summary>
      <pre>${manifest.summary}</pre>
    </details>`;
}

/** A run's lanes and stage list; child runs are nested blocks of the same shape. */
function renderRunTimeline(view: RunView): Html {
  return html`${renderLanes(view.manifest)}
    <div class="stages">${renderStageList(view, renderNestedRun)}</div>
    ${
      view.otherChildren.length === 0
        ? ""
        : html`<h3>Child runs started by stage commands</h3>
            ${joinHtml(view.otherChildren.map((child) => renderChildRun(child, renderNestedRun)))}`
    }
    ${view.problems.length === 0 ? "" : html`<div class="note">${joinHtml(view.problems.map((problem) => html`<div>${problem}</div>`))}</div>`}`;
}

function renderLogs(view: RunView): Html {
  const logs = view.stages.filter((stage) => stage.entry.log_path !== null);
  if (logs.length === 0) return html`<p class="muted">No stage of this run has a log.</p>`;
  return joinHtml(
    logs.map((stage) => renderStageLog(stage, stageElementId(view.manifest.run_id, stage.entry.id, "log"))),
  );
}

function renderNestedRun(view: RunView): Html {
  return html`${renderRunTimeline(view)}
  ${
    view.stages.some((stage) => stage.entry.log_path !== null)
      ? html`<h3>Logs of ${view.manifest.run_id}</h3>
          ${renderLogs(view)}`
      : ""
  }
  ${
    view.manifest.approvals.length + view.manifest.resume_events.length === 0
      ? ""
      : html`<h3>Approvals and resume events of ${view.manifest.run_id}</h3>
          ${renderDecisions(view.manifest)}`
  }`;
}

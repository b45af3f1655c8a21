import type { Approval, CommandAttempt, Manifest } from "@codex/orchestrator-schema";
import { html, joinHtml, type Html } from "./escape.js";
import { renderExtraFields, valueText } from "./field-values.js";
import type { RunView, StageView } from "./run-view.js";
import { durationBetween, formatDuration, layoutTimeline } from "./timeline-layout.js";

const KNOWN_STAGE_FIELDS = new Set([
  "index",
  "id",
  "title",
  "kind",
  "command",
  "status",
  "started_at",
  "completed_at",
  "exit_code",
  "summary",
  "log_path",
  "error_file",
  "sub_run_id",
  "guardrail",
  "signal",
  "exit_reason",
  "attempts",
  "needs",
  "status_detail",
]);
const KNOWN_ATTEMPT_FIELDS = new Set([
  "attempt",
  "started_at",
  "completed_at",
  "exit_code",
  "signal",
  "reason",
]);

/** Renders a nested run inside the stage that started it (a run's timeline, logs and events). */
export type RenderRunBlock = (view: RunView) => Html;

/** Element ids: unique across the nested runs of one page. */
export function stageElementId(runId: string, stageId: string, part: "stage" | "log"): string {
  return `${part}-${runId}-${stageId}`;
}

/** The lanes: one bar per stage that started, parallel stages on separate lanes. */
export function renderLanes(manifest: Manifest): Html {
  const layout = layoutTimeline(manifest);
  if (layout.placements.length === 0) return html`<p class="muted">No stage has started.</p>`;
  const byIndex = new Map(manifest.commands.map((entry) => [entry.index, entry]));
  const lanes = Array.from({ length: layout.lanes }, (_, lane) =>
    layout.placements.filter((placement) => placement.lane === lane),
  );
  return html`<div class="lanes" role="img" aria-label="Stages over time, ${layout.lanes} lane(s)">
      ${joinHtml(
        lanes.map(
          (placements, lane) =>
            html`<div class="lane" data-lane="${lane}">
              ${joinHtml(
                placements.map((placement) => {
                  const entry = byIndex.get(placement.index);
                  if (entry === undefined) return html``;
                  const took = formatDuration(placement.endMs - placement.startMs);
                  return html`<a
                    class="bar s-${entry.status}"
                    href="#${stageElementId(manifest.run_id, entry.id, "stage")}"
                    style="left:${placement.offset}%;width:${placement.width}%"
                    title="${entry.id}: ${entry.status}, ${took}"
                    >${entry.id}</a
                  >`;
                }),
              )}
            </div>`,
        ),
      )}
    </div>
    <div class="axis"><span>0</span><span>${formatDuration(layout.endMs - layout.startMs)}</span></div>`;
}

/** The stages in order, each expandable: attempts, gate decisions, other fields, its child run. */
export function renderStageList(view: RunView, renderChild: RenderRunBlock): Html {
  return joinHtml(view.stages.map((stage) => renderStage(view, stage, renderChild)));
}

function renderStage(view: RunView, stage: StageView, renderChild: RenderRunBlock): Html {
  const { entry } = stage;
  const took = formatDuration(durationBetween(entry.started_at, entry.completed_at));
  const attempts = entry.attempts ?? [];
  const open =
    entry.status === "failed" || (stage.child !== null && stage.child.manifest.status !== "succeeded");
  const approvals = view.manifest.approvals
    .map((approval, position) => ({ approval, position }))
    .filter(({ approval }) => approval.stage_id === entry.id);
  return html`<details
    class="stage"
    id="${stageElementId(view.manifest.run_id, entry.id, "stage")}"
    ${open ? html` open` : ""}
  >
    <summary>
      <span class="badge s-${entry.status}">${entry.status}</span> <b>${entry.id}</b>
      <span class="muted"
        >${entry.title} ·
        ${entry.kind}${entry.started_at === null ? "" : ` · ${took}`}${entry.exit_code === null ? "" : ` · exit ${entry.exit_code}`}${attempts.length > 1 ? ` · ${attempts.length} attempts` : ""}</span
      >
    </summary>
    <div class="stage-body">
      ${entry.command === null ? "" : html`<div>Command: <code>${entry.command}</code></div>`}
      ${entry.needs === undefined || entry.needs.length === 0 ? "" : html`<div class="muted">Needs: ${entry.needs.join(", ")}</div>`}
      ${entry.summary === null ? "" : html`<div>Summary: ${entry.summary}</div>`}
      ${entry.status_detail ? html`<div class="muted">${entry.status_detail}</div>` : ""}
      ${entry.signal ? html`<div>Signal: ${entry.signal}</div>` : ""}
      ${entry.error_file === null ? "" : html`<div class="muted">Error file: <code>${entry.error_file}</code></div>`}
      ${attempts.length > 0 ? renderAttempts(attempts) : ""}
      ${approvals.length > 0 ? renderGateDecisions(approvals) : ""}
      ${entry.kind === "manual" && approvals.length === 0 && entry.status === "running" ? html`<div class="note">Waiting for a decision.</div>` : ""}
      ${renderExtraFields(entry, KNOWN_STAGE_FIELDS)}
      ${entry.log_path === null ? "" : html`<div><a href="#${stageElementId(view.manifest.run_id, entry.id, "log")}">Log</a></div>`}
      ${stage.child === null ? (entry.sub_run_id === null ? "" : html`<div class="muted">Child run ${entry.sub_run_id} (not readable)</div>`) : renderChildRun(stage.child, renderChild)}
    </div>
  </details>`;
}

/** A child run, collapsed under the stage that started it; its own timeline and logs inside. */
export function renderChildRun(child: RunView, renderChild: RenderRunBlock): Html {
  const manifest = child.manifest;
  return html`<details
    class="child"
    id="run-${manifest.run_id}"
    ${manifest.status === "succeeded" ? "" : html` open`}
  >
    <summary>
      Child run <b>${manifest.run_id}</b> <span class="badge s-${manifest.status}">${manifest.status}</span>
      <span class="muted"
        >${manifest.pipeline_id} · task ${manifest.task_id} ·
        ${formatDuration(durationBetween(manifest.started_at, manifest.completed_at ?? manifest.updated_at))}</span
      >
    </summary>
    ${renderChild(child)}
  </details>`;
}

function renderAttempts(attempts: readonly CommandAttempt[]): Html {
  const extraKeys = [...new Set(attempts.flatMap((attempt) => Object.keys(attempt)))].filter(
    (key) => !KNOWN_ATTEMPT_FIELDS.has(key),
  );
  return html`<table class="attempts">
    <thead>
      <tr>
        <th>attempt</th>
        <th>started</th>
        <th>took</th>
        <th>exit</th>
        <th>reason</th>
        ${joinHtml(extraKeys.map((key) => html`<th>${key}</th>`))}
      </tr>
    </thead>
    <tbody>
      ${joinHtml(
        attempts.map(
          (attempt) =>
            html`<tr>
              <td>${attempt.attempt}</td>
              <td class="mono">${attempt.started_at}</td>
              <td>${formatDuration(durationBetween(attempt.started_at, attempt.completed_at))}</td>
              <td>${attempt.signal ?? attempt.exit_code ?? "–"}</td>
              <td>${attempt.reason ?? "–"}</td>
              ${joinHtml(extraKeys.map((key) => html`<td class="mono">${key in attempt ? valueText((attempt as Record<string, unknown>)[key]) : ""}</td>`))}
            </tr>`,
        ),
      )}
    </tbody>
  </table>`;
}

function renderGateDecisions(approvals: readonly { approval: Approval; position: number }[]): Html {
  return joinHtml(
    approvals.map(
      ({ approval, position }) =>
        html`<div class="gate">
          <b>${approval.decision}</b> by <b>${approval.actor}</b> at
          <span class="mono">${approval.timestamp}</span
          >${approval.reason === null ? "" : html` — ${approval.reason}`}
          <span class="muted mono">manifest.json#approvals[${position}]</span>
        </div>`,
    ),
  );
}

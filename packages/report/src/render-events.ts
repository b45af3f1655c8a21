import type { Manifest } from "@codex/orchestrator-schema";
import { html, joinHtml, type Html } from "./escape.js";

/** The approvals and resume events of a run, each with its citation in the manifest. */
export function renderDecisions(manifest: Manifest): Html {
  if (manifest.approvals.length === 0 && manifest.resume_events.length === 0) {
    return html`<p class="muted">No approvals or resume events.</p>`;
  }
  const approvals = manifest.approvals.map(
    (approval, index) =>
      html`<tr>
        <td class="mono">${approval.timestamp}</td>
        <td>approval</td>
        <td>${approval.stage_id}</td>
        <td><b>${approval.decision}</b></td>
        <td>${approval.actor}</td>
        <td>${approval.reason ?? ""}</td>
        <td class="mono">manifest.json#approvals[${index}]</td>
      </tr>`,
  );
  const resumes = manifest.resume_events.map(
    (event, index) =>
      html`<tr>
        <td class="mono">${event.timestamp}</td>
        <td>resume</td>
        <td></td>
        <td><b>${event.outcome}</b></td>
        <td>${event.actor}</td>
        <td>
          ${event.reason ?? ""}${event.detail === null ? "" : html` <span class="muted">(${event.detail})</span>`}
        </td>
        <td class="mono">manifest.json#resume_events[${index}]</td>
      </tr>`,
  );
  return html`<table class="decisions">
    <thead>
      <tr>
        <th>when</th>
        <th>what</th>
        <th>stage</th>
        <th>outcome</th>
        <th>who</th>
        <th>why</th>
        <th>citation</th>
      </tr>
    </thead>
    <tbody>
      ${joinHtml([...approvals, ...resumes])}
    </tbody>
  </table>`;
}

import { ansiToHtml } from "./ansi.js";
import { Html, html, joinHtml } from "./escape.js";
import type { LogLine } from "./log-excerpt.js";
import type { StageView } from "./run-view.js";

/** Lines as `<span class="log-line">`, stderr marked, ANSI colours rendered, everything escaped. */
export function renderLogLines(lines: readonly LogLine[]): Html {
  return joinHtml(
    lines.map(
      (line) =>
        html`<span class="log-line ${line.stream}"
          >${line.stream === "stderr" ? new Html('<span class="stderr-tag" aria-label="stderr">! </span>') : ""}${new Html(ansiToHtml(line.text))}</span
        >`,
    ),
  );
}

/** One stage's log, collapsed: the embedded part, and what was left out with the full file's path. */
export function renderStageLog(stage: StageView, elementId: string): Html {
  const { entry, log } = stage;
  if (entry.log_path === null) return html``;
  const stderrLines =
    log === null ? 0 : [...log.head, ...log.tail].filter((l) => l.stream === "stderr").length;
  const header = html`<summary>
    <b>${entry.id}</b> <span class="muted">${entry.title}</span>
    <span class="badge s-${entry.status}">${entry.status}</span>
    <span class="muted"
      >${log === null ? (stage.logNote ?? "") : `${formatBytes(log.size)} of log`}${stderrLines > 0 ? `, ${stderrLines} stderr line${stderrLines === 1 ? "" : "s"}` : ""}</span
    >
  </summary>`;
  if (log === null) {
    return html`<details class="log" id="${elementId}">
      ${header}
      <p class="muted">${stage.logNote ?? ""}: <code>${entry.log_path}</code></p>
    </details>`;
  }
  const cut =
    log.tail.length > 0 || log.omittedBytes > 0
      ? html`<span class="cut"
          >… ${formatBytes(log.omittedBytes)} of log not embedded; the full log is ${entry.log_path} …</span
        >`
      : html``;
  const empty =
    log.head.length === 0 && log.tail.length === 0 ? html`<span class="muted">(no output)</span>` : html``;
  return html`<details class="log" id="${elementId}">
    ${header}
    <pre>${renderLogLines(log.head)}${cut}${renderLogLines(log.tail)}${empty}</pre>
    <div class="muted">Full log: <code>${entry.log_path}</code></div>
  </details>`;
}

/** A byte count for people. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

// The 16 ANSI colours (classes f0–f15 / b0–b15 from ansi.ts), readable on the dark log background.
const ANSI_PALETTE = [
  "#4d4d4d",
  "#f07178",
  "#a5d86e",
  "#ffcb6b",
  "#82aaff",
  "#c792ea",
  "#89ddff",
  "#d0d0d0",
  "#808080",
  "#ff8b92",
  "#c3e88d",
  "#ffe585",
  "#9cc4ff",
  "#ddb3ff",
  "#a6edff",
  "#ffffff",
];

/** The page's one style sheet, inlined (the report loads nothing). */
export const PAGE_STYLE = `
:root{--fg:#1d2430;--muted:#5b6675;--line:#d9dee5;--bg:#f6f8fa;--ok:#1f883d;--bad:#cf222e;--warn:#9a6700;--run:#0969da;--skip:#6e7781}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:#fff}
main{max-width:1180px;margin:0 auto;padding:20px 24px 60px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:14px;margin:12px 0 6px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;color:#fff;background:var(--skip)}
.s-succeeded{background:var(--ok)}.s-failed{background:var(--bad)}.s-cancelled{background:var(--warn)}
.s-awaiting_approval{background:var(--warn)}.s-in_progress,.s-running,.s-queued{background:var(--run)}
.s-skipped,.s-pending,.s-unreadable{background:var(--skip)}
.verdict{border:2px solid var(--line);border-radius:8px;padding:12px 16px;margin:8px 0 16px}
.verdict.v-failed,.verdict.v-cancelled{border-color:var(--bad);background:#fff5f5}
.verdict.v-succeeded{border-color:var(--ok);background:#f3fbf5}
.verdict.v-awaiting_approval{border-color:var(--warn);background:#fffbea}
.verdict .status{font-size:18px;font-weight:700}
.next{background:#0d1117;color:#e6edf3;padding:8px 12px;border-radius:6px;margin:6px 0;white-space:pre-wrap;word-break:break-all}
.muted{color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;word-break:break-word}
.lanes{position:relative;border:1px solid var(--line);border-radius:6px;background:var(--bg);padding:4px 0}
.lane{position:relative;height:22px;margin:3px 0}
.bar{position:absolute;top:0;height:22px;border-radius:4px;color:#fff;font-size:11px;line-height:22px;padding:0 4px;overflow:hidden;white-space:nowrap;text-decoration:none;min-width:4px}
.bar.s-succeeded{background:var(--ok)}.bar.s-failed{background:var(--bad)}
.axis{display:flex;justify-content:space-between;color:var(--muted);font-size:11px;padding:0 2px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px}
details{margin:2px 0}summary{cursor:pointer}
details.stage>summary{padding:4px 6px;border-radius:4px}details.stage>summary:hover{background:var(--bg)}
.stage-body{margin:4px 0 8px 22px}
.child{border-left:3px solid var(--run);margin:6px 0 6px 8px;padding:2px 0 2px 12px}
.log{margin:4px 0}
.log pre{background:#0d1117;color:#d0d0d0;padding:8px 10px;border-radius:6px;overflow:auto;max-height:560px;margin:4px 0}
.log-line{display:block;white-space:pre-wrap;word-break:break-all;min-height:1em}
.log-line.stderr{border-left:3px solid #f07178;padding-left:6px;color:#ffb3b8}
.log-line.meta{color:#8b949e;font-style:italic}
.log-line.hit{background:#5a4a00}.log-line.hit-current{outline:2px solid #ffcb6b}
.cut{color:#ffcb6b;font-style:italic;display:block;padding:4px 0}
.stderr-tag{color:var(--bad);font-weight:600}
.search{display:flex;gap:8px;align-items:center;margin:6px 0 10px}
.search input{flex:0 1 360px;padding:5px 8px;border:1px solid var(--line);border-radius:6px;font:inherit}
.note{background:#fffbea;border:1px solid #f2d48a;border-radius:6px;padding:6px 10px;margin:6px 0}
.hidden{display:none}
.filters{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0}.filters select{font:inherit;padding:3px 6px}
tr.child-row td:first-child{padding-left:28px}
${ANSI_PALETTE.map((colour, index) => `.f${index}{color:${colour}}.b${index}{background:${colour}}`).join("")}
.bo{font-weight:700}.di{opacity:.7}.it{font-style:italic}.un{text-decoration:underline}
`;

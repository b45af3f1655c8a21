// Results: one row per figure (scenario, baseline of the same run, ours, ratio, target, PASS/FAIL),
// a line on stderr as each is taken, and the table at the end. A row with `pass: null` has no target.
import { round } from "./timing.mjs";

export const ms = (value) => `${round(value, 1)} ms`;
export const sec = (value) => `${round(value / 1000, 2)} s`;
export const times = (value) => `${round(value)}×`;
/** Milliseconds below a second, seconds from there. */
export const duration = (value) => (value < 1000 ? ms(value) : sec(value));

function verdict(row) {
  return row.pass === null ? "info" : row.pass ? "PASS" : "FAIL";
}

export function createReport({ log = (text) => process.stderr.write(text) } = {}) {
  const rows = [];

  function record(row) {
    const full = { baseline: "-", ours: "-", ratio: "-", target: "-", ...row };
    rows.push(full);
    const note = full.note === undefined ? "" : ` [${full.note}]`;
    const figure = full.ratio === "-" ? full.ours : full.ratio;
    log(`  ${verdict(full)}  ${full.scenario}: ${figure} (target ${full.target})${note}\n`);
  }

  /** A missed figure because its measurement could not be taken: a FAIL row carrying the error. */
  function fail(scenario, target, error) {
    const message = (error instanceof Error ? error.message : String(error))
      .replace(/\s+/g, " ")
      .slice(0, 400);
    record({ scenario, ratio: "error", target, pass: false, error: message, note: message });
  }

  /**
   * Runs one measurement; if it throws, records a FAIL row for `scenario` with the error instead, so
   * that the rest of the scenario and the suite still run.
   */
  async function attempt(scenario, target, measure) {
    try {
      await measure();
    } catch (error) {
      fail(scenario, target, error);
    }
  }

  function table() {
    const header = ["scenario", "baseline (same run)", "ours", "ratio", "target", "result"];
    const errors = [];
    const body = rows.map((row) => {
      let ratio = row.ratio;
      if (row.error !== undefined) {
        errors.push(`(${errors.length + 1}) ${row.scenario}: ${row.error}`);
        ratio = `error (${errors.length})`;
      }
      // Escaped so that the table pastes into Markdown as it is.
      const cells = [row.scenario, row.baseline, row.ours, ratio, row.target, verdict(row)];
      return cells.map((cell) => cell.replaceAll("|", "\\|"));
    });
    const all = [header, ...body];
    const widths = header.map((_, column) => Math.max(...all.map((cells) => cells[column].length)));
    const line = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |`;
    const rule = `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`;
    return [line(header), rule, ...body.map(line), ...(errors.length === 0 ? [] : ["", ...errors])].join(
      "\n",
    );
  }

  return {
    rows,
    record,
    fail,
    attempt,
    table,
    missed: () => rows.filter((row) => row.pass === false),
  };
}

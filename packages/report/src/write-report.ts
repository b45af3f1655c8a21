import path from "node:path";
import { ensureDirectory, writeFileAtomic } from "@codex/orchestrator-persistence";
import { renderRunReport } from "./render-report.js";
import { DEFAULT_LOG_BUDGET_BYTES, readRunView, type RunViewLimits } from "./run-view.js";

/** The report's file name in a run folder. */
export const REPORT_FILE_NAME = "report.html";

/** Options for {@link writeRunReport}. */
export interface WriteRunReportOptions extends RunViewLimits {
  /** The run folder (`.runs/<task>/cli/<run>`). */
  runDir: string;
  /** Where to write (default `<runDir>/report.html`). */
  out?: string;
}

/** Reads a run folder and writes its report whole (temp file + rename); returns the file and its size. */
export function writeRunReport(options: WriteRunReportOptions): { file: string; bytes: number } {
  const logBudgetBytes = options.logBudgetBytes ?? DEFAULT_LOG_BUDGET_BYTES;
  const view = readRunView(options.runDir, { ...options, logBudgetBytes });
  const page = renderRunReport(view, { logBudgetBytes });
  const file = options.out ?? path.join(options.runDir, REPORT_FILE_NAME);
  ensureDirectory(path.dirname(file));
  writeFileAtomic(file, page);
  return { file, bytes: Buffer.byteLength(page) };
}

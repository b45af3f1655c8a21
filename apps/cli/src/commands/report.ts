import { existsSync } from "node:fs";
import path from "node:path";
import { CodexOrchestrator, type RunFilter } from "@codex/orchestrator-core";
import { REPORT_FILE_NAME, renderRunIndex, writeRunReport, type IndexRow } from "@codex/orchestrator-report";
import { ensureDirectory, writeFileAtomic } from "@codex/orchestrator-persistence";
import { UsageError } from "../errors.js";
import { openInDesktop } from "../open-file.js";
import { runIdFrom } from "../usage/run-id-argument.js";
import { printJson } from "../terminal.js";
import { rootOptions } from "../usage/root-option.js";

/** The index page's default place: beside the task folders. */
export const INDEX_FILE_NAME = "index.html";

/** `report <run-id> [--out <file>] [--open]` and `report --index` (also `runs --html`). */
export async function runReport(argv: {
  runId?: string | undefined;
  run?: string | undefined;
  out?: string | undefined;
  open?: boolean | undefined;
  index?: boolean | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  if (argv.out !== undefined && argv.out.trim() === "") throw new UsageError("--out needs a file name");
  const out = argv.out === undefined ? undefined : path.resolve(argv.out);
  const orchestrator = new CodexOrchestrator(rootOptions(argv));
  if (argv.index) {
    if (argv.runId !== undefined || argv.run !== undefined)
      throw new UsageError("Give a run id or --index, not both");
    return writeIndexPage(orchestrator, { out, format: argv.format, open: argv.open });
  }
  const found = await orchestrator.findRun(runIdFrom(argv), "--run");
  const written = writeRunReport({ runDir: found.runDir, ...(out === undefined ? {} : { out }) });
  announce(written, argv.format, argv.open);
  return 0;
}

/** `report --index` and `runs --html`: the page of runs (those matching `filter`), linking each report. */
export async function writeIndexPage(
  orchestrator: CodexOrchestrator,
  options: { out: string | undefined; format: string; open?: boolean | undefined; filter?: RunFilter },
): Promise<number> {
  if (options.out !== undefined && options.out.trim() === "") throw new UsageError("--out needs a file name");
  const out = path.resolve(options.out ?? path.join(orchestrator.locations.runsDir, INDEX_FILE_NAME));
  const written = await writeIndex(orchestrator, out, options.filter ?? {});
  announce(written, options.format, options.open);
  return 0;
}

function announce(
  written: { file: string; bytes: number; runs?: number },
  format: string,
  open: boolean | undefined,
): void {
  if (format === "json") printJson(written);
  else process.stdout.write(`Report: ${written.file}\n`);
  if (open) openInDesktop(written.file, (message) => process.stderr.write(`warning: ${message}\n`));
}

async function writeIndex(
  orchestrator: CodexOrchestrator,
  out: string,
  filter: RunFilter,
): Promise<{ file: string; bytes: number; runs: number }> {
  // The page nests child runs under their parents itself, so it lists them all.
  const listed = await orchestrator.listRuns({ ...filter, includeChildren: true });
  const rows = listed.map((run): IndexRow => {
    const runDir = path.dirname(path.resolve(orchestrator.locations.root, run.manifest));
    const report = path.join(runDir, REPORT_FILE_NAME);
    // Runs from before reports existed get theirs now, so every link of the page works.
    if (run.status !== "unreadable" && !existsSync(report)) {
      try {
        writeRunReport({ runDir });
      } catch (error) {
        process.stderr.write(
          `warning: Could not write the report of ${run.run_id}: ${(error as Error).message}\n`,
        );
      }
    }
    const href = path.relative(path.dirname(out), report).split(path.sep).map(encodeURIComponent).join("/");
    return { run, reportHref: existsSync(report) ? href : null };
  });
  const page = renderRunIndex(rows);
  ensureDirectory(path.dirname(out));
  writeFileAtomic(out, page);
  return { file: out, bytes: Buffer.byteLength(page), runs: rows.length };
}

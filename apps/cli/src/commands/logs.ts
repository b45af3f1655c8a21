import { CodexOrchestrator } from "@codex/orchestrator-core";
import { UsageError } from "../errors.js";
import { LogTextRenderer } from "../logs/log-text.js";
import { RunLogMerge } from "../logs/run-log-merge.js";
import { runIdFrom } from "../usage/run-id-argument.js";
import { createPainter } from "../terminal.js";
import { rootOptions } from "../usage/root-option.js";

/** How often `--follow` looks for new lines, and how often it asks whether the run is still going. */
const FOLLOW_POLL_MS = 200;
const FOLLOW_STATUS_MS = 1000;
/** Output is written in batches of about this size. */
const WRITE_BATCH_CHARS = 64 * 1024;

/** `logs <run-id> [--stage <id>] [--follow] [--format text|json]`. */
export async function runLogs(argv: {
  runId?: string | undefined;
  run?: string | undefined;
  stage?: string | undefined;
  follow?: boolean | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  const runId = runIdFrom(argv);
  const orchestrator = new CodexOrchestrator(rootOptions(argv));
  const found = await orchestrator.findRun(runId, "--run");
  const status = await orchestrator.status(runId);
  const stageIds = new Map(status.commands.map((entry) => [entry.index, entry.id]));
  let onlyStage: number | null = null;
  if (argv.stage !== undefined) {
    const entry = status.commands.find((command) => command.id === argv.stage);
    if (entry === undefined)
      throw new UsageError(
        `Run ${runId} has no stage ${JSON.stringify(argv.stage)}`,
        `its stages: ${status.commands.map((command) => command.id).join(", ")}`,
      );
    onlyStage = entry.index;
  }
  const merge = new RunLogMerge({
    runDir: found.runDir,
    ...(onlyStage === null ? {} : { includeStage: (index: number) => index === onlyStage }),
  });
  const renderer = new LogTextRenderer({ stageIds, painter: createPainter(process.stdout), onlyStage });
  const json = argv.format === "json";
  // process.stdout is never destroyed: a reader that went away (`logs … | head`) shows as an error.
  let readerGone = false;
  const onWriteError = () => {
    readerGone = true;
  };
  process.stdout.on("error", onWriteError);
  let batch = "";
  // A pipe takes what it can and Node queues the rest: waiting for it to drain keeps memory
  // bounded however large the log and however slow the reader.
  const flush = async () => {
    if (batch === "") return;
    const written = process.stdout.write(batch);
    batch = "";
    if (!written) await drained(process.stdout);
    // A turn of the event loop lets a closed pipe (`logs … | head`) be noticed, and reading stop.
    else await new Promise((resolve) => setImmediate(resolve));
  };
  const write = async (text: string) => {
    batch += text;
    if (batch.length >= WRITE_BATCH_CHARS) await flush();
  };
  const drain = async () => {
    for (const line of merge.drain()) {
      if (readerGone) return;
      if (json) {
        if (onlyStage === null || line.event.index === onlyStage) await write(`${line.raw}\n`);
      } else {
        for (const text of renderer.render(line)) await write(`${text}\n`);
      }
    }
    await flush();
  };
  try {
    await drain();
    if (argv.follow) {
      let checkedAt = Date.now();
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
        if (readerGone) break;
        const now = Date.now();
        let going = true;
        if (now - checkedAt >= FOLLOW_STATUS_MS) {
          checkedAt = now;
          const current = await orchestrator.status(runId);
          going =
            (current.status === "in_progress" || current.status === "queued") && !current.heartbeat.stale;
        }
        // What the run wrote before it ended is read after its status says so.
        await drain();
        if (!going) break;
      }
    }
    if (!json) for (const text of renderer.end()) await write(`${text}\n`);
    await flush();
  } finally {
    merge.close();
    process.stdout.off("error", onWriteError);
  }
  if (merge.unreadable > 0)
    process.stderr.write(`warning: ${merge.unreadable} log line(s) were not JSON and were skipped\n`);
  return 0;
}

/** Resolves when `stream` can take more, or will never take more (closed, failed). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("close", done);
    stream.once("error", done);
  });
}

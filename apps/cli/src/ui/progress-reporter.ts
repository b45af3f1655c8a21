import type { CodexOrchestrator, OrchestratorEvents } from "@codex/orchestrator-core";
import { formatDuration, type Painter } from "../terminal.js";
import { errorAnnotation, groupLines } from "./github-actions.js";
import { LineSplitter, LineTail, prefixLines } from "./output-lines.js";
import type { OutputMode } from "./output-mode.js";
import type { ProgressView } from "./progress-view.js";

/** What the reporter remembers for the closing lines. */
export interface ProgressState {
  failedStage: { stageId: string; tail: string[] } | null;
  /** Stages whose result came from the stage cache. */
  reused: string[];
}

/** Lines of a stage held back for `--output-logs=failed`: its last ones, shown if it fails. */
const FAILED_OUTPUT_LINES = 200;
/** Lines of a stage held for its GitHub Actions group; the log has them all. */
const GROUP_OUTPUT_LINES = 10_000;

interface StageOutputState {
  stageId: string;
  depth: number;
  stdout: LineSplitter;
  stderr: LineSplitter;
  held: LineTail<{ stream: "stdout" | "stderr"; line: string }> | null;
}

/** Everything the reporter needs: where events come from, how they are shown. */
export interface ProgressReporterOptions {
  orchestrator: CodexOrchestrator;
  painter: Painter;
  view: ProgressView;
  mode: OutputMode;
}

/**
 * Turns run events into progress: a line when a stage starts (streamed output only; the live view
 * shows running stages itself) and when it ends, its output as `--output-logs` asks, child runs
 * indented by their depth. Under GitHub Actions each stage's output is a folded group and a failed
 * stage an error annotation.
 */
export function attachProgressReporter(options: ProgressReporterOptions): ProgressState {
  const { orchestrator, painter, view, mode } = options;
  const state: ProgressState = { failedStage: null, reused: [] };
  const depths = new Map<string, number>();
  const stages = new Map<string, StageOutputState>();
  const indent = (runId: string) => "  ".repeat(depths.get(runId) ?? 0);
  const holdLimit =
    mode.outputLogs === "failed"
      ? FAILED_OUTPUT_LINES
      : mode.outputLogs === "full" && mode.githubActions
        ? GROUP_OUTPUT_LINES
        : 0;
  const prefixOf = (stage: StageOutputState, stream: "stdout" | "stderr") =>
    `${"  ".repeat(stage.depth)}${painter.dim(`[${stage.stageId}]`)}${stream === "stderr" ? painter.red("!") : ""} `;
  const prefixed = (stage: StageOutputState, stream: "stdout" | "stderr", line: string) =>
    `${prefixOf(stage, stream)}${line}`;
  const keyOf = (event: { runId: string; index: number }) => `${event.runId}#${event.index}`;

  orchestrator.on("run:started", (event) => {
    depths.set(event.runId, event.depth);
    if (event.depth === 0) {
      view.print([
        painter.bold(
          `${event.resumed ? "Resuming" : "Running"} ${event.pipelineId} (task ${event.taskId}, run ${event.runId})`,
        ),
      ]);
    } else {
      view.print([
        `${indent(event.runId)}${painter.dim(`↳ child run ${event.runId}: ${event.pipelineId} (task ${event.taskId})`)}`,
      ]);
    }
  });

  orchestrator.on("stage:started", (event) => {
    const key = keyOf(event);
    const depth = depths.get(event.runId) ?? 0;
    if (!stages.has(key))
      stages.set(key, {
        stageId: event.stageId,
        depth,
        stdout: new LineSplitter(),
        stderr: new LineSplitter(),
        held: holdLimit > 0 ? new LineTail(holdLimit) : null,
      });
    const attempt = event.attempt > 1 ? painter.yellow(` (attempt ${event.attempt})`) : "";
    if (!mode.live || event.attempt > 1)
      view.print([`${indent(event.runId)}${painter.dim("▶")} [${event.index}] ${event.stageId}${attempt}`]);
    view.stageStarted(key, { depth, label: `[${event.index}] ${event.stageId}${attempt}` });
  });

  const showLines = (key: string, stage: StageOutputState, stream: "stdout" | "stderr", lines: string[]) => {
    if (lines.length === 0) return;
    if (mode.live) view.stageLine(key, lines[lines.length - 1] ?? "");
    if (stage.held !== null) stage.held.push(lines.map((line) => ({ stream, line })));
    else if (mode.outputLogs === "full") view.output(lines.map((line) => prefixed(stage, stream, line)));
  };

  // Output events cost the engine nothing when no one listens: only subscribe when they are shown.
  if (mode.live || mode.outputLogs !== "none") {
    orchestrator.on("stage:output", (event) => {
      const key = keyOf(event);
      const stage = stages.get(key);
      if (stage === undefined) return;
      if (stage.held !== null) {
        showLines(key, stage, event.stream, stage[event.stream].push(event.data));
        return;
      }
      // Shown as it comes: the chunk's whole lines as one block, not a string per line.
      const block = stage[event.stream].pushBlock(event.data);
      if (block === null) return;
      if (mode.live) view.stageLine(key, block.slice(block.lastIndexOf("\n") + 1));
      if (mode.outputLogs === "full") view.output([prefixLines(block, prefixOf(stage, event.stream))]);
    });
  }

  orchestrator.on("stage:finished", (event) => {
    const key = keyOf(event);
    const stage = stages.get(key);
    if (stage !== undefined) {
      showLines(key, stage, "stdout", stage.stdout.end());
      showLines(key, stage, "stderr", stage.stderr.end());
    }
    stages.delete(key);
    const failed = event.status === "failed";
    view.stageFinished(key, failed);
    if (event.status === "pending") return; // a gate left waiting: approval:requested says so
    if (event.status === "succeeded" && event.reusedFrom !== undefined) state.reused.push(event.stageId);
    const line = finishLine(event, painter);
    const held = stage?.held ?? null;
    const showHeld = held !== null && held.lines.length > 0 && (failed || mode.outputLogs === "full");
    if (showHeld && mode.githubActions) {
      const omitted =
        held.dropped > 0
          ? [
              `… ${held.dropped} earlier lines: codex-orchestrator logs ${event.runId} --stage ${event.stageId}`,
            ]
          : [];
      view.print(
        groupLines(`${indent(event.runId)}${plainFinishLine(event)}`, [
          ...omitted,
          ...held.lines.map((held) => (held.stream === "stderr" ? `! ${held.line}` : held.line)),
        ]),
      );
    } else {
      view.print([`${indent(event.runId)}${line}`]);
      if (showHeld && stage !== undefined) {
        const omitted =
          held.dropped > 0 ? [painter.dim(`${"  ".repeat(stage.depth)}… ${held.dropped} earlier lines`)] : [];
        view.print([...omitted, ...held.lines.map((held) => prefixed(stage, held.stream, held.line))]);
      }
    }
    if (failed && mode.githubActions)
      view.print([
        errorAnnotation(
          `Stage ${event.stageId} failed`,
          [event.ending ?? "failed", ...event.tail].join("\n"),
        ),
      ]);
    // The first failure is the one to show: stages it stopped fail after it.
    if (failed) state.failedStage ??= { stageId: event.stageId, tail: event.tail };
  });

  orchestrator.on("approval:requested", (event) => {
    view.print([
      `${indent(event.runId)}${painter.yellow("⏸")} gate ${event.stageId} is waiting for approval${event.instructions ? `: ${event.instructions}` : ""}`,
    ]);
  });
  orchestrator.on("warning", (event) => {
    view.print([`${painter.yellow("warning:")} ${event.message}`]);
  });
  return state;
}

type FinishedEvent = OrchestratorEvents["stage:finished"];

function howItEnded(event: FinishedEvent): string {
  return event.ending ?? (event.exitCode === null ? "no exit code" : `exit ${event.exitCode}`);
}

/** `✔ [1] build 1.2s`, `✖ [3] test exit 1 3m 18s`, `⚠ allowed failure [2] lint exit 3 0.4s`. */
function finishLine(event: FinishedEvent, painter: Painter): string {
  const time = painter.dim(formatDuration(event.durationMs));
  if (event.status === "succeeded") {
    const reused =
      event.reusedFrom === undefined ? "" : ` ${painter.dim(`reused from run ${event.reusedFrom}`)}`;
    return `${painter.green("✔")} [${event.index}] ${event.stageId}${reused} ${time}`;
  }
  // Skipped without running (a built-in npm script the package lacks) is not a failure at all.
  const mark =
    event.status !== "skipped"
      ? painter.red("✖")
      : event.exitCode === null && event.tail.length === 0
        ? painter.dim("– skipped")
        : painter.yellow("⚠ allowed failure");
  return `${mark} [${event.index}] ${event.stageId} ${howItEnded(event)} ${time}`;
}

function plainFinishLine(event: FinishedEvent): string {
  const plain = { green: id, red: id, yellow: id, dim: id, bold: id, cyan: id, enabled: false };
  return finishLine(event, plain);
}

function id(text: string): string {
  return text;
}

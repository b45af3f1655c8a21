import type { CodexOrchestrator } from "@codex/orchestrator-core";
import { formatDuration, type Painter } from "./terminal.js";

/** What the reporter remembers for the closing lines. */
export interface ProgressState {
  failedStage: { stageId: string; tail: string[] } | null;
  /** Stages whose result came from the stage cache. */
  reused: string[];
}

/**
 * Shows each stage on stderr as it runs, with its elapsed time and outcome; nested runs are
 * indented under their parent. Colours only on a terminal without NO_COLOR.
 */
export function attachProgressReporter(
  orchestrator: CodexOrchestrator,
  painter: Painter,
  stream: NodeJS.WritableStream = process.stderr,
): ProgressState {
  const state: ProgressState = { failedStage: null, reused: [] };
  const depth = new Map<string, number>();
  let topRunId: string | null = null;
  const write = (runId: string | null, text: string) => {
    const indent = "  ".repeat(runId === null ? 0 : (depth.get(runId) ?? 0));
    stream.write(`${indent}${text}\n`);
  };
  orchestrator.on("run:started", (event) => {
    if (topRunId === null) {
      topRunId = event.runId;
      depth.set(event.runId, 0);
      write(
        event.runId,
        painter.bold(
          `${event.resumed ? "Resuming" : "Running"} ${event.pipelineId} (task ${event.taskId}, run ${event.runId})`,
        ),
      );
    } else {
      const level = depth.get(event.runId) ?? Math.max(...depth.values()) + 1;
      depth.set(event.runId, level);
      write(
        event.runId,
        painter.dim(`↳ child run ${event.runId}: ${event.pipelineId} (task ${event.taskId})`),
      );
    }
  });
  orchestrator.on("stage:started", (event) => {
    const attempt = event.attempt > 1 ? painter.yellow(` (attempt ${event.attempt})`) : "";
    write(event.runId, `${painter.dim("▶")} [${event.index}] ${event.stageId}${attempt}`);
  });
  orchestrator.on("stage:finished", (event) => {
    const time = painter.dim(formatDuration(event.durationMs));
    if (event.status === "succeeded") {
      if (event.reusedFrom !== undefined) state.reused.push(event.stageId);
      const reused =
        event.reusedFrom === undefined ? "" : ` ${painter.dim(`reused from run ${event.reusedFrom}`)}`;
      write(event.runId, `${painter.green("✔")} [${event.index}] ${event.stageId}${reused} ${time}`);
    } else {
      const how = event.ending ?? (event.exitCode === null ? "no exit code" : `exit ${event.exitCode}`);
      const mark = event.status === "skipped" ? painter.yellow("⚠ allowed failure") : painter.red("✖");
      write(event.runId, `${mark} [${event.index}] ${event.stageId} ${how} ${time}`);
      // The first failure is the one to show: stages it stopped fail after it.
      if (event.status === "failed") state.failedStage ??= { stageId: event.stageId, tail: event.tail };
    }
  });
  orchestrator.on("approval:requested", (event) => {
    write(
      event.runId,
      `${painter.yellow("⏸")} gate ${event.stageId} is waiting for approval${event.instructions ? `: ${event.instructions}` : ""}`,
    );
  });
  orchestrator.on("warning", (event) => {
    stream.write(`${painter.yellow("warning:")} ${event.message}\n`);
  });
  return state;
}

import type { LogLine } from "./log-excerpt.js";
import type { RunView, StageView } from "./run-view.js";

/** The first thing a reviewer reads: how the run went, where it broke and how to continue. */
export interface Verdict {
  /** The failing stage, followed into child runs: the chain of runs that leads to it. */
  failing: { runs: RunView[]; stage: StageView; lastLines: LogLine[] } | null;
  /** The last line of the summary about guardrails (`Guardrails: …`), when there is one. */
  guardrail: string | null;
  /** The commands that continue the run, in order. */
  next: string[];
}

const LAST_LINES = 20;

/** Works out the verdict of a run from its view. */
export function buildVerdict(view: RunView): Verdict {
  const { manifest } = view;
  const runId = manifest.run_id;
  const guardrail =
    manifest.summary
      .split("\n")
      .reverse()
      .find((line) => line.startsWith("Guardrails:")) ?? null;
  const failing = findFailingStage(view, []);
  const next: string[] = [];
  if (manifest.status === "failed" || manifest.status === "cancelled") {
    next.push(`codex-orchestrator resume ${runId}`);
  } else if (manifest.status === "awaiting_approval") {
    const waiting = findWaitingGate(view);
    if (waiting !== null) {
      next.push(
        `codex-orchestrator approve ${waiting.runId} --stage ${waiting.stageId} --actor <name> --reason <why>`,
      );
    } else {
      next.push(`codex-orchestrator status ${runId}`);
    }
    next.push(`codex-orchestrator resume ${runId}`);
  } else if (manifest.status === "in_progress" || manifest.status === "queued") {
    next.push(`codex-orchestrator status ${runId} --watch`);
  }
  return { failing, guardrail, next };
}

function findFailingStage(view: RunView, chain: RunView[]): Verdict["failing"] {
  const runs = [...chain, view];
  const stage = view.stages.find((candidate) => candidate.entry.status === "failed");
  if (stage === undefined) return null;
  if (stage.child !== null) {
    const inner = findFailingStage(stage.child, runs);
    if (inner !== null) return inner;
  }
  return { runs, stage, lastLines: lastLines(stage) };
}

function lastLines(stage: StageView): LogLine[] {
  if (stage.log === null) return [];
  const lines = stage.log.tail.length > 0 ? stage.log.tail : stage.log.head;
  // The last attempt's lines: earlier attempts of a retried stage printed the same story.
  const lastStart = lines.findLastIndex((line) => line.stream === "meta" && line.text.endsWith(" started"));
  return lines
    .slice(lastStart + 1)
    .filter((line) => line.stream !== "meta")
    .slice(-LAST_LINES);
}

/** The gate a paused run waits on, followed into a paused child run. */
export function findWaitingGate(view: RunView): { runId: string; stageId: string } | null {
  const detail = view.manifest.status_detail ?? "";
  const gate = /^approval:(.+):pending$/.exec(detail)?.[1];
  if (gate !== undefined) return { runId: view.manifest.run_id, stageId: gate };
  for (const stage of view.stages) {
    if (stage.child !== null && stage.child.manifest.status === "awaiting_approval") {
      return findWaitingGate(stage.child);
    }
  }
  const manual = view.stages.find(
    (stage) => stage.entry.kind === "manual" && stage.entry.status === "running",
  );
  return manual === undefined ? null : { runId: view.manifest.run_id, stageId: manual.entry.id };
}

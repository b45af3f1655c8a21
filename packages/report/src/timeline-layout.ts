import type { CommandEntry, Manifest } from "@codex/orchestrator-schema";

/** Where one stage sits on the timeline: its lane and its share of the run's time, in percent. */
export interface StagePlacement {
  index: number;
  lane: number;
  /** Percent of the run's span from its start to the stage's start. */
  offset: number;
  /** Percent of the run's span the stage took (a sliver for instant stages). */
  width: number;
  startMs: number;
  endMs: number;
}

/** A run's stages laid out on lanes: stages that overlap in time get different lanes. */
export interface TimelineLayout {
  placements: StagePlacement[];
  lanes: number;
  startMs: number;
  endMs: number;
}

/**
 * Lays out the stages that started: each goes on the first lane free at its start (greedy interval
 * colouring), so a sequential run is one lane and parallel stages sit side by side.
 */
export function layoutTimeline(manifest: Manifest, now = Date.now()): TimelineLayout {
  const runStart = Date.parse(manifest.started_at);
  const runEnd = Date.parse(manifest.completed_at ?? manifest.updated_at);
  const spans = manifest.commands
    .map((entry) => ({ entry, ...stageSpan(entry, Number.isFinite(runEnd) ? runEnd : now) }))
    .filter((span): span is { entry: CommandEntry; startMs: number; endMs: number } => span.startMs !== null)
    .sort((left, right) => left.startMs - right.startMs || left.entry.index - right.entry.index);
  const startMs = Math.min(runStart, ...spans.map((span) => span.startMs));
  const endMs = Math.max(runEnd, startMs + 1, ...spans.map((span) => span.endMs));
  const total = endMs - startMs;
  const laneEnds: number[] = [];
  const placements = spans.map((span): StagePlacement => {
    let lane = laneEnds.findIndex((end) => end <= span.startMs);
    if (lane === -1) lane = laneEnds.push(span.endMs) - 1;
    else laneEnds[lane] = span.endMs;
    return {
      index: span.entry.index,
      lane,
      offset: round(((span.startMs - startMs) / total) * 100),
      width: Math.max(0.5, round(((span.endMs - span.startMs) / total) * 100)),
      startMs: span.startMs,
      endMs: span.endMs,
    };
  });
  return { placements, lanes: Math.max(1, laneEnds.length), startMs, endMs };
}

function stageSpan(entry: CommandEntry, fallbackEnd: number): { startMs: number | null; endMs: number } {
  const attempts = entry.attempts ?? [];
  const start = Date.parse(entry.started_at ?? attempts[0]?.started_at ?? "");
  if (!Number.isFinite(start)) return { startMs: null, endMs: 0 };
  const end = Date.parse(entry.completed_at ?? attempts.at(-1)?.completed_at ?? "");
  return { startMs: start, endMs: Math.max(start, Number.isFinite(end) ? end : fallbackEnd) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A duration for people: `850 ms`, `12.4 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) return "–";
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** How long a run or stage took, or has taken so far. */
export function durationBetween(start: string | null | undefined, end: string | null | undefined): number {
  const from = Date.parse(start ?? "");
  const to = Date.parse(end ?? "");
  return Number.isFinite(from) && Number.isFinite(to) ? to - from : Number.NaN;
}

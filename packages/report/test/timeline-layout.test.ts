import { describe, expect, test } from "vitest";
import type { CommandEntry, Manifest } from "@codex/orchestrator-schema";
import { formatDuration, layoutTimeline } from "../src/timeline-layout.js";

function stage(index: number, id: string, started: string | null, completed: string | null): CommandEntry {
  return {
    index,
    id,
    title: id,
    kind: "command",
    command: "true",
    status: started === null ? "pending" : "succeeded",
    started_at: started,
    completed_at: completed,
    exit_code: 0,
    summary: null,
    log_path: null,
    error_file: null,
    sub_run_id: null,
  };
}

function manifest(commands: CommandEntry[]): Manifest {
  return {
    started_at: "2026-01-01T00:00:00.000Z",
    completed_at: "2026-01-01T00:00:10.000Z",
    updated_at: "2026-01-01T00:00:10.000Z",
    commands,
  } as Manifest;
}

describe("timeline lanes", () => {
  test("sequential stages share one lane; overlapping ones get their own", () => {
    const layout = layoutTimeline(
      manifest([
        stage(1, "a", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:02.000Z"),
        stage(2, "b", "2026-01-01T00:00:02.000Z", "2026-01-01T00:00:06.000Z"),
        stage(3, "c", "2026-01-01T00:00:03.000Z", "2026-01-01T00:00:05.000Z"),
        stage(4, "d", "2026-01-01T00:00:05.500Z", "2026-01-01T00:00:10.000Z"),
        stage(5, "e", null, null),
      ]),
    );
    expect(layout.lanes).toBe(2);
    expect(layout.placements.map((placement) => [placement.index, placement.lane])).toEqual([
      [1, 0],
      [2, 0],
      [3, 1],
      [4, 1],
    ]);
    expect(layout.placements[1]).toMatchObject({ offset: 20, width: 40 });
  });

  test("durations read like a person would say them", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_400)).toBe("12.4 s");
    expect(formatDuration(185_000)).toBe("3 min 05 s");
    expect(formatDuration(3_720_000)).toBe("1 h 02 min");
    expect(formatDuration(Number.NaN)).toBe("–");
  });
});

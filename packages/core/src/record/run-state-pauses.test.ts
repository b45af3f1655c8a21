import type { Manifest, RunStateEvent } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { sampleManifest } from "../../../../test/helpers/sample-manifest.js";
import { applyRunEvent } from "./run-state.js";

const RUN_ID = "2025-10-31T22-56-34-431Z-0123abcd";

const end = (status: Manifest["status"], timestamp: string): RunStateEvent => ({
  type: "run:end",
  status,
  status_detail: status === "awaiting_approval" ? "approval:gate:pending" : null,
  timestamp,
  index: null,
});

const resume = (timestamp: string, outcome: "accepted" | "blocked" = "accepted"): RunStateEvent => ({
  type: "run:resume",
  actor: "cli",
  outcome,
  detail: null,
  resume_event: { actor: "cli", reason: "manual-resume", outcome, detail: null, timestamp },
  timestamp,
  index: null,
});

describe("time a run stood stopped", () => {
  it("adds the time from each stop to the accepted resume that followed", () => {
    const manifest = sampleManifest(RUN_ID, { started_at: "2025-10-31T23:00:00.000Z" });
    applyRunEvent(manifest, end("awaiting_approval", "2025-10-31T23:00:10.000Z"));
    expect(manifest.stopped_at).toBe("2025-10-31T23:00:10.000Z");
    // A refused resume continues nothing.
    applyRunEvent(manifest, resume("2025-10-31T23:01:00.000Z", "blocked"));
    expect(manifest.paused_seconds).toBeUndefined();
    applyRunEvent(manifest, resume("2025-10-31T23:05:10.000Z"));
    expect(manifest).toMatchObject({ paused_seconds: 300, stopped_at: null });
    applyRunEvent(manifest, end("failed", "2025-10-31T23:05:20.000Z"));
    applyRunEvent(manifest, resume("2025-10-31T23:05:50.500Z"));
    expect(manifest.paused_seconds).toBe(330.5);
  });

  it("after a crash (no end recorded), counts from the last event the run wrote", () => {
    const manifest = sampleManifest(RUN_ID, { updated_at: "2025-10-31T23:00:00.000Z" });
    applyRunEvent(manifest, resume("2025-10-31T23:00:42.000Z"));
    expect(manifest.paused_seconds).toBe(42);
  });
});

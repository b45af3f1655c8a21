import fs from "node:fs";
import path from "node:path";
import type { RunSummary } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { runSummary } from "../../test/fixtures.js";
import { PersistenceError } from "../errors.js";
import { PersistenceCoordinator, type RunCompletionSource } from "./persistence-coordinator.js";
import { toStateRunEntry } from "./state-run-entry.js";

const RUN_ID = "2025-10-31T22-56-34-431Z-9574035c";

function completionSource(): RunCompletionSource & {
  complete(summary: RunSummary): void;
  listeners: number;
} {
  const listeners = new Set<(summary: RunSummary) => void>();
  return {
    onRunCompleted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    complete(summary) {
      for (const listener of listeners) listener(summary);
    },
    get listeners() {
      return listeners.size;
    },
  };
}

describe("PersistenceCoordinator", () => {
  it("writes run-summary.json and the state snapshot", () => {
    const directory = tempDir();
    const runSummaryPath = path.join(directory, "run-summary.json");
    const statePath = path.join(directory, "state.json");
    const errors: unknown[] = [];
    const coordinator = new PersistenceCoordinator({
      runSummaryPath,
      statePath,
      taskId: "0101",
      onError: (error) => errors.push(error),
    });
    expect(coordinator.persist(runSummary(RUN_ID))).toEqual({ runSummary: true, state: true });
    expect(JSON.parse(fs.readFileSync(runSummaryPath, "utf8"))).toEqual(runSummary(RUN_ID));
    expect(JSON.parse(fs.readFileSync(statePath, "utf8"))).toMatchObject({
      taskId: "0101",
      runs: [toStateRunEntry(runSummary(RUN_ID))],
    });
    expect(errors).toEqual([]);
  });

  it("still writes the run summary when the state snapshot cannot be written, and reports it", () => {
    const directory = tempDir();
    const runSummaryPath = path.join(directory, "run-summary.json");
    const statePath = path.join(directory, "missing", "state.json");
    const reported: Array<[unknown, string]> = [];
    const coordinator = new PersistenceCoordinator({
      runSummaryPath,
      statePath,
      taskId: "0101",
      onError: (error, artifact) => reported.push([error, artifact]),
    });
    expect(coordinator.persist(runSummary(RUN_ID))).toEqual({ runSummary: true, state: false });
    expect(fs.existsSync(runSummaryPath)).toBe(true);
    expect(reported).toHaveLength(1);
    expect(reported[0]?.[1]).toBe("state");
    expect(reported[0]?.[0]).toBeInstanceOf(PersistenceError);
  });

  it("still writes the state snapshot when the run summary cannot be written, and reports it", () => {
    const directory = tempDir();
    const runSummaryPath = path.join(directory, "missing", "run-summary.json");
    const statePath = path.join(directory, "state.json");
    const reported: string[] = [];
    const coordinator = new PersistenceCoordinator({
      runSummaryPath,
      statePath,
      taskId: "0101",
      onError: (_error, artifact) => reported.push(artifact),
    });
    expect(coordinator.persist(runSummary(RUN_ID))).toEqual({ runSummary: false, state: true });
    expect(fs.existsSync(statePath)).toBe(true);
    expect(reported).toEqual(["run-summary"]);
  });

  it("does not throw without onError", () => {
    const directory = tempDir();
    const coordinator = new PersistenceCoordinator({
      runSummaryPath: path.join(directory, "a", "run-summary.json"),
      statePath: path.join(directory, "b", "state.json"),
      taskId: "0101",
    });
    expect(coordinator.persist(runSummary(RUN_ID))).toEqual({ runSummary: false, state: false });
  });

  it("persists each completion announced by an attached source until unsubscribed", () => {
    const directory = tempDir();
    const statePath = path.join(directory, "state.json");
    const source = completionSource();
    const coordinator = new PersistenceCoordinator({
      runSummaryPath: path.join(directory, "run-summary.json"),
      statePath,
      taskId: "0101",
    });
    const detach = coordinator.attach(source);
    source.complete(runSummary(RUN_ID));
    detach();
    expect(source.listeners).toBe(0);
    source.complete(runSummary("2025-11-01T00-00-00-000Z-00000001"));
    const state = JSON.parse(fs.readFileSync(statePath, "utf8")) as { runs: Array<{ run_id: string }> };
    expect(state.runs.map((run) => run.run_id)).toEqual([RUN_ID]);
  });
});

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  claimRunOwnership,
  readManifest,
  resolveRunPaths,
  writeManifest,
  type RunPaths,
} from "@codex/orchestrator-persistence";
import type { Manifest } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../../test/helpers/temp-dir.js";
import { commandStage, configJson, createOrchestrator } from "../../test/support.js";
import { loadRunState, readStateEvents } from "./run-log.js";
import { rebuildManifest } from "./run-state.js";

const CONFIG = {
  pipelines: [
    {
      id: "graph",
      title: "Graph",
      stages: [
        commandStage("one", "echo one; echo one-err >&2", { needs: [] }),
        commandStage("two", "echo two", { needs: [] }),
        commandStage("three", "echo three; exit 5", { needs: ["one", "two"] }),
        commandStage("four", "echo four"),
      ],
    },
  ],
};

/** A finished (failed) run of a small graph in a temp repo, with its paths and final manifest. */
async function finishedRun(): Promise<{ paths: RunPaths; final: Manifest }> {
  const dir = tempDir();
  writeFiles(dir, {
    "codex.orchestrator.json": configJson(CONFIG),
    "tasks/index.json": configJson({ tasks: [{ id: "0101", slug: "demo-task", title: "Demo" }] }),
  });
  const result = await createOrchestrator(dir).start("graph", { taskId: "0101" });
  expect(result.status).toBe("failed");
  const paths = resolveRunPaths(
    { root: dir, runsDir: path.join(dir, ".runs"), outDir: path.join(dir, "out") },
    { taskId: "0101", runId: result.runId },
  );
  return { paths, final: readManifest(paths.manifest) };
}

/**
 * Makes the run look crashed: its manifest an earlier snapshot (the first `count` state events of
 * its log) and no owner. Returns that snapshot.
 */
function rewindManifest(paths: RunPaths, count: number): Manifest {
  const events = readStateEvents(paths.runnerLog);
  const earlier = rebuildManifest(events.slice(0, count));
  if (earlier === null) throw new Error("no run:created event");
  writeManifest(paths.manifest, earlier);
  fs.rmSync(paths.ownerLock, { force: true });
  return earlier;
}

/** The position just after the first event of `type` (for a stage, with that status). */
function countThrough(paths: RunPaths, match: (event: Record<string, unknown>) => boolean): number {
  const events = readStateEvents(paths.runnerLog) as unknown as Record<string, unknown>[];
  const position = events.findIndex(match);
  expect(position).toBeGreaterThan(0);
  return position + 1;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(child.stdout);
}

function withoutSummary(manifest: Manifest): Omit<Manifest, "summary"> {
  const { summary: _summary, ...rest } = manifest;
  return rest;
}

describe("readStateEvents", () => {
  it("returns the state events of a log in order, without output lines, each numbered", async () => {
    const { paths, final } = await finishedRun();
    const lines = fs.readFileSync(paths.runnerLog, "utf8").split("\n").filter(Boolean);
    expect(lines.some((line) => line.startsWith('{"type":"command:stdout"'))).toBe(true);
    const events = readStateEvents(paths.runnerLog);
    expect(events[0]?.type).toBe("run:created");
    expect(events.at(-1)?.type).toBe("run:end");
    expect(events.some((event) => (event.type as string).startsWith("command:std"))).toBe(false);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, position) => position + 1));
    expect(events.at(-1)?.seq).toBe(final.event_seq);
  });
});

describe("loadRunState: a crashed run whose manifest is behind its log", () => {
  it("returns the manifest rebuilt from the log, with the status the log proves", async () => {
    const { paths, final } = await finishedRun();
    // The snapshot from just after stage "one" succeeded: in progress, three stages to go.
    const earlier = rewindManifest(
      paths,
      countThrough(paths, (event) => event.type === "stage:status" && event.status === "succeeded"),
    );
    expect(earlier.status).toBe("in_progress");
    expect(readManifest(paths.manifest).event_seq).toBe(earlier.event_seq);

    const state = loadRunState(paths);
    expect(state.status).toBe("failed");
    expect(state.event_seq).toBe(final.event_seq);
    expect(withoutSummary(state)).toEqual(withoutSummary(final));
    expect(state.commands.map((entry) => [entry.id, entry.status])).toEqual([
      ["one", "succeeded"],
      ["two", "succeeded"],
      ["three", "failed"],
      ["four", "pending"],
    ]);
    // Reading never writes: the manifest on disk is still the earlier snapshot.
    expect(readManifest(paths.manifest).event_seq).toBe(earlier.event_seq);
  });

  it("rebuilds as well when the owner lock names a process that has died", async () => {
    const { paths, final } = await finishedRun();
    rewindManifest(paths, 3);
    fs.writeFileSync(
      paths.ownerLock,
      JSON.stringify({
        pid: deadPid(),
        hostname: os.hostname(),
        acquired_at: new Date().toISOString(),
        token: "feedfacefeedface",
      }),
    );
    expect(loadRunState(paths).status).toBe(final.status);
  });

  it("returns the manifest as it is while a live process owns the run", async () => {
    const { paths } = await finishedRun();
    const earlier = rewindManifest(paths, 3);
    const owner = claimRunOwnership(paths.ownerLock, earlier.run_id);
    try {
      const state = loadRunState(paths);
      expect(state).toEqual(earlier);
      expect(state.status).toBe(earlier.status);
    } finally {
      owner.release();
    }
  });

  it("returns a final manifest as it is, and a manifest that knows as much as the log", async () => {
    const { paths, final } = await finishedRun();
    fs.rmSync(paths.ownerLock, { force: true });
    expect(loadRunState(paths)).toEqual(final);

    // Not final, but as far along as the log: nothing to rebuild.
    const inProgress = { ...final, status: "in_progress" as const, completed_at: null };
    writeManifest(paths.manifest, inProgress);
    expect(loadRunState(paths)).toEqual(inProgress);
  });

  it("ignores a last line cut short by the crash", async () => {
    const { paths, final } = await finishedRun();
    const earlier = rewindManifest(paths, 3);
    // Cut the last line (run:end) in half.
    const text = fs.readFileSync(paths.runnerLog, "utf8");
    const lastLineStart = text.lastIndexOf("\n", text.length - 2) + 1;
    const lastLine = text.slice(lastLineStart);
    expect(lastLine).toMatch(/^\{"type":"run:end"/);
    fs.writeFileSync(paths.runnerLog, text.slice(0, lastLineStart + Math.floor(lastLine.length / 2)));

    const events = readStateEvents(paths.runnerLog);
    expect(events.at(-1)?.type).not.toBe("run:end");
    const state = loadRunState(paths);
    expect(state.event_seq).toBe((final.event_seq ?? 0) - 1);
    expect(state.event_seq).toBeGreaterThan(earlier.event_seq ?? 0);
    expect(state.status).toBe("in_progress");
    expect(state.commands.map((entry) => entry.status)).toEqual([
      "succeeded",
      "succeeded",
      "failed",
      "pending",
    ]);
    expect(state.commands[3]?.status_detail).toBe("not run: needs three (failed)");
  });

  it.each([1, 12, 19])(
    "ignores a last line cut to its first %i bytes (shorter than an output line's prefix)",
    async (keep) => {
      const { paths, final } = await finishedRun();
      rewindManifest(paths, 3);
      const text = fs.readFileSync(paths.runnerLog, "utf8");
      const lastLineStart = text.lastIndexOf("\n", text.length - 2) + 1;
      fs.writeFileSync(paths.runnerLog, text.slice(0, lastLineStart + keep));

      expect(readStateEvents(paths.runnerLog).at(-1)?.seq).toBe((final.event_seq ?? 0) - 1);
      const state = loadRunState(paths);
      expect(state.event_seq).toBe((final.event_seq ?? 0) - 1);
      expect(state.status).toBe("in_progress");
    },
  );

  it("skips short lines that are not events, wherever they are", async () => {
    const { paths, final } = await finishedRun();
    rewindManifest(paths, 3);
    const text = fs.readFileSync(paths.runnerLog, "utf8");
    const lines = text.split("\n").filter(Boolean);
    // A short JSON line after the first event, and one at the very end without a newline.
    fs.writeFileSync(paths.runnerLog, [lines[0], "{}", ...lines.slice(1)].join("\n") + "\n{}");
    const events = readStateEvents(paths.runnerLog);
    expect(events.at(-1)?.type).toBe("run:end");
    expect(loadRunState(paths).status).toBe(final.status);
  });

  it("keeps the manifest when the log belongs to another run", async () => {
    const { paths } = await finishedRun();
    const earlier = rewindManifest(paths, 3);
    const other = { ...earlier, run_id: "2025-01-01T00-00-00-000Z-00000000" };
    writeManifest(paths.manifest, other);
    expect(loadRunState(paths)).toEqual(other);
  });
});

import fs from "node:fs";
import path from "node:path";
import {
  parseManifest,
  type Approval,
  type CommandEntry,
  type Manifest,
  type RunStateEvent,
} from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { sampleManifest } from "../../../../test/helpers/sample-manifest.js";
import { tempDir, writeFiles } from "../../../../test/helpers/temp-dir.js";
import { commandStage, configJson, createOrchestrator } from "../../test/support.js";
import { readStateEvents } from "./run-log.js";
import { applyRunEvent, rebuildManifest } from "./run-state.js";

const RUN_ID = "2025-10-31T22-56-34-431Z-0123abcd";

function entry(index: number, id: string, overrides: Partial<CommandEntry> = {}): CommandEntry {
  return {
    index,
    id,
    title: id,
    kind: "command",
    command: `echo ${id}`,
    status: "pending",
    started_at: null,
    completed_at: null,
    exit_code: null,
    summary: null,
    log_path: `.runs/0101/cli/${RUN_ID}/commands/0${index}-${id}.ndjson`,
    error_file: null,
    sub_run_id: null,
    needs: [],
    ...overrides,
  };
}

/** The manifest a run starts from: queued, three stages. */
function initialManifest(): Manifest {
  return sampleManifest(RUN_ID, {
    status: "queued",
    commands: [entry(1, "lint"), entry(2, "test"), entry(3, "deploy", { needs: ["lint", "test"] })],
    concurrency: 2,
    continue_on_failure: false,
    event_seq: 0,
  });
}

/** Stamps events as the recorder does: consecutive seq from 1, one second apart. */
function stamp(inputs: Record<string, unknown>[]): RunStateEvent[] {
  return inputs.map(
    (input, position) =>
      ({
        index: null,
        ...input,
        seq: position + 1,
        timestamp: new Date(Date.UTC(2025, 10, 1, 12, 0, position)).toISOString(),
      }) as RunStateEvent,
  );
}

function timeOf(position: number): string {
  return new Date(Date.UTC(2025, 10, 1, 12, 0, position)).toISOString();
}

function created(manifest: Manifest = initialManifest()) {
  return { type: "run:created", manifest };
}

function approval(overrides: Partial<Approval> = {}): Approval {
  return {
    stage_id: "gate",
    actor: "alice",
    decision: "approved",
    reason: null,
    timestamp: "2025-11-01T11:00:00.000Z",
    plan_hash: "sha256:abc",
    ...overrides,
  };
}

function rebuilt(inputs: Record<string, unknown>[]): Manifest {
  const manifest = rebuildManifest(stamp(inputs));
  if (manifest === null) throw new Error("no run:created event");
  return manifest;
}

describe("applyRunEvent", () => {
  it("run:created lays out the manifest (a copy) at the event's seq", () => {
    const initial = initialManifest();
    const event = stamp([created(initial)])[0] as RunStateEvent;
    const manifest = {} as Manifest;
    applyRunEvent(manifest, event);
    // The laid-out manifest is taken whole, its own updated_at included.
    expect(manifest).toEqual({ ...initial, event_seq: 1 });
    initial.commands[0]!.status = "failed";
    expect(manifest.commands[0]?.status).toBe("pending");
    expect(parseManifest(manifest, { source: "rebuilt" })).toEqual(manifest);
  });

  it("run:start marks the run in progress and clears a previous end", () => {
    const manifest = rebuilt([
      created(initialManifest()),
      { type: "run:end", status: "failed", status_detail: "stage:test:failed" },
      { type: "run:start", run_id: RUN_ID, task_id: "0101", pipeline_id: "diagnostics", resumed: true },
    ]);
    expect(manifest).toMatchObject({
      status: "in_progress",
      status_detail: null,
      completed_at: null,
      updated_at: timeOf(2),
      event_seq: 3,
    });
  });

  it("stage:status running then succeeded records the times, the summary and clears the old outcome", () => {
    const manifest = rebuilt([
      created(
        sampleManifest(RUN_ID, {
          commands: [
            entry(1, "lint", {
              status: "failed",
              exit_code: 2,
              error_file: "errors/01-lint.json",
              status_detail: "stopped: stage test failed",
              completed_at: "2025-10-31T23:00:00.000Z",
            }),
          ],
        }),
      ),
      { type: "stage:status", stage_id: "lint", status: "running", index: 1 },
    ]);
    expect(manifest.commands[0]).toMatchObject({
      status: "running",
      started_at: timeOf(1),
      completed_at: null,
      exit_code: null,
      error_file: null,
      status_detail: null,
    });

    applyRunEvent(manifest, {
      type: "stage:status",
      stage_id: "lint",
      status: "succeeded",
      summary: "lint: 0 problems",
      status_detail: null,
      exit_code: 0,
      index: 1,
      seq: 3,
      timestamp: timeOf(2),
    });
    expect(manifest.commands[0]).toMatchObject({
      status: "succeeded",
      started_at: timeOf(1),
      completed_at: timeOf(2),
      summary: "lint: 0 problems",
      exit_code: 0,
      status_detail: null,
    });
    expect(manifest.event_seq).toBe(3);
  });

  it("stage:status without an index finds the stage by id; pending clears completed_at and keeps the reason", () => {
    const manifest = rebuilt([
      created(),
      {
        type: "stage:status",
        stage_id: "deploy",
        status: "pending",
        status_detail: "not run: needs test (failed)",
      },
      { type: "stage:status", stage_id: "nope", status: "failed" },
    ]);
    expect(manifest.commands[2]).toMatchObject({
      status: "pending",
      completed_at: null,
      status_detail: "not run: needs test (failed)",
    });
    expect(manifest.commands.map((known) => known.status)).toEqual(["pending", "pending", "pending"]);
  });

  it("command:start and command:end build the attempts and the entry's exit", () => {
    const manifest = rebuilt([
      created(),
      { type: "command:start", command: "echo test", index: 2, attempt: 1 },
      { type: "command:end", exit_code: 1, signal: null, reason: "exit", index: 2, attempt: 1 },
      // No attempt number: the next one; an end without one closes the last.
      { type: "command:start", command: "echo test", index: 2 },
      { type: "command:end", exit_code: null, signal: "SIGTERM", reason: "timeout", index: 2 },
      // No stage with that index: ignored.
      { type: "command:start", command: "echo x", index: 9 },
    ]);
    expect(manifest.commands[1]?.attempts).toEqual([
      {
        attempt: 1,
        started_at: timeOf(1),
        completed_at: timeOf(2),
        exit_code: 1,
        signal: null,
        reason: "exit",
      },
      {
        attempt: 2,
        started_at: timeOf(3),
        completed_at: timeOf(4),
        exit_code: null,
        signal: "SIGTERM",
        reason: "timeout",
      },
    ]);
    expect(manifest.commands[1]).toMatchObject({
      exit_code: null,
      signal: "SIGTERM",
      exit_reason: "timeout",
    });
    expect(manifest.commands[0]?.attempts).toBeUndefined();
    expect(manifest.event_seq).toBe(6);
  });

  it("approval:recorded keeps each decision once", () => {
    const first = approval();
    const manifest = rebuilt([
      created(),
      { type: "approval:recorded", stage_id: "gate", decision: "approved", actor: "alice", approval: first },
      {
        type: "approval:recorded",
        stage_id: "gate",
        decision: "approved",
        actor: "alice",
        approval: { ...first },
      },
      // Without the approval record there is nothing to keep.
      { type: "approval:recorded", stage_id: "gate", decision: "approved", actor: "carol" },
      {
        type: "approval:recorded",
        stage_id: "gate",
        decision: "rejected",
        actor: "bob",
        approval: approval({ actor: "bob", decision: "rejected" }),
      },
    ]);
    expect(manifest.approvals).toEqual([first, approval({ actor: "bob", decision: "rejected" })]);
  });

  it("child:registered adds a child once and replaces it with its newer status", () => {
    const child = {
      run_id: "2025-11-01T12-00-00-000Z-aaaaaaaa",
      task_id: "0101",
      pipeline_id: "sub",
      status: "in_progress" as const,
      manifest: ".runs/0101/cli/2025-11-01T12-00-00-000Z-aaaaaaaa/manifest.json",
    };
    const other = { ...child, run_id: "2025-11-01T12-00-00-000Z-bbbbbbbb" };
    const manifest = rebuilt([
      created(),
      { type: "child:registered", child },
      { type: "child:registered", child: other },
      { type: "child:registered", child: { ...child, status: "succeeded" } },
    ]);
    expect(manifest.child_runs).toEqual([{ ...child, status: "succeeded" }, other]);
  });

  it("run:resume accepted resets every stage that did not succeed; a blocked one only records itself", () => {
    const manifest = rebuilt([
      created(
        sampleManifest(RUN_ID, {
          status: "failed",
          metrics_recorded: true,
          commands: [
            entry(1, "lint", { status: "succeeded", completed_at: timeOf(0) }),
            entry(2, "soft", { status: "skipped", completed_at: timeOf(0) }),
            entry(3, "test", {
              status: "failed",
              completed_at: timeOf(0),
              status_detail: "stopped: stage x failed",
            }),
            entry(4, "deploy", { status: "pending", status_detail: "not run: needs test (failed)" }),
          ],
        }),
      ),
      { type: "run:resume", actor: "mallory", outcome: "blocked", detail: "wrong token" },
    ]);
    expect(manifest.resume_events).toEqual([
      { actor: "mallory", reason: null, outcome: "blocked", detail: "wrong token", timestamp: timeOf(1) },
    ]);
    expect(manifest.commands.map((known) => known.status)).toEqual([
      "succeeded",
      "skipped",
      "failed",
      "pending",
    ]);
    expect(manifest.metrics_recorded).toBe(true);

    const record = {
      actor: "alice",
      reason: "flake",
      outcome: "accepted" as const,
      detail: null,
      timestamp: "2025-11-01T12:30:00.000Z",
    };
    for (const seq of [3, 4]) {
      applyRunEvent(manifest, {
        type: "run:resume",
        actor: "alice",
        outcome: "accepted",
        detail: null,
        resume_event: record,
        index: null,
        seq,
        timestamp: timeOf(seq - 1),
      });
    }
    // The same resume event twice (journal and log) is kept once.
    expect(manifest.resume_events).toHaveLength(2);
    expect(manifest.resume_events[1]).toEqual(record);
    expect(
      manifest.commands.map((known) => [known.status, known.completed_at, known.status_detail ?? null]),
    ).toEqual([
      ["succeeded", timeOf(0), null],
      ["skipped", timeOf(0), null],
      ["pending", null, null],
      ["pending", null, null],
    ]);
    expect(manifest.metrics_recorded).toBe(false);
  });

  it("run:end records the status, completed_at (only when terminal), metrics and the summary path", () => {
    const paused = rebuilt([
      created(),
      { type: "run:end", status: "awaiting_approval", status_detail: "approval:gate:pending" },
    ]);
    expect(paused).toMatchObject({
      status: "awaiting_approval",
      completed_at: null,
      metrics_recorded: false,
    });

    const finished = rebuilt([
      created(),
      {
        type: "run:end",
        status: "succeeded",
        status_detail: null,
        completed_at: "2025-11-01T13:00:00.000Z",
        metrics_recorded: true,
        run_summary_path: "run-summary.json",
      },
    ]);
    expect(finished).toMatchObject({
      status: "succeeded",
      status_detail: null,
      completed_at: "2025-11-01T13:00:00.000Z",
      metrics_recorded: true,
      run_summary_path: "run-summary.json",
      updated_at: timeOf(1),
    });

    const withoutTime = rebuilt([
      created(),
      { type: "run:end", status: "failed", status_detail: "stage:test:failed" },
    ]);
    expect(withoutTime.completed_at).toBe(timeOf(1));
  });

  it("run:heartbeat records the beat; events it does not model only move updated_at and event_seq", () => {
    const manifest = rebuilt([
      created(),
      { type: "run:heartbeat", heartbeat_at: "2025-11-01T12:00:05.000Z" },
      { type: "approval:requested", stage_id: "gate", plan_hash: "sha256:abc" },
      { type: "child:start", child_run_id: "x", child_task_id: "0101", pipeline_id: "sub" },
    ]);
    expect(manifest).toEqual({
      ...initialManifest(),
      heartbeat_at: "2025-11-01T12:00:05.000Z",
      updated_at: timeOf(3),
      event_seq: 4,
    });
  });
});

describe("rebuildManifest", () => {
  it("is null without run:created, and ignores what comes before it", () => {
    expect(rebuildManifest([])).toBeNull();
    expect(
      rebuildManifest(
        stamp([{ type: "run:start", run_id: RUN_ID, task_id: "0101", pipeline_id: "x", resumed: false }]),
      ),
    ).toBeNull();
    const manifest = rebuildManifest(
      stamp([
        { type: "run:end", status: "failed", status_detail: "x" },
        created(),
        { type: "run:heartbeat", heartbeat_at: timeOf(9) },
      ]),
    );
    expect(manifest?.status).toBe("queued");
    expect(manifest?.heartbeat_at).toBe(timeOf(9));
  });

  describe("of a real run's runner.ndjson", () => {
    const config = {
      pipelines: [
        {
          id: "graph",
          title: "Graph",
          concurrency: 2,
          stages: [
            commandStage("lint", "echo linting; echo lint-warning >&2", { needs: [] }),
            commandStage("flaky", "test -f fixed || { echo broken; exit 3; }; echo fine", {
              needs: [],
              retries: 1,
            }),
            { kind: "manual", id: "gate", title: "Gate", needs: ["lint"] },
            commandStage("package", "echo packaged", { needs: ["flaky"] }),
            commandStage("deploy", "echo deployed", { needs: ["gate", "package"] }),
          ],
        },
      ],
    };

    function repo(): string {
      const dir = tempDir();
      writeFiles(dir, {
        "codex.orchestrator.json": configJson(config),
        "tasks/index.json": configJson({ tasks: [{ id: "0101", slug: "demo-task", title: "Demo" }] }),
      });
      return dir;
    }

    function expectLogRebuildsManifest(dir: string, manifestPath: string): Manifest {
      const onDisk = parseManifest(JSON.parse(fs.readFileSync(path.join(dir, manifestPath), "utf8")), {
        source: manifestPath,
      });
      const fromLog = rebuildManifest(readStateEvents(path.join(dir, onDisk.log_path)));
      expect(fromLog).not.toBeNull();
      // The writer adds the summary text; everything else comes from the events.
      const { summary: _written, ...expected } = onDisk;
      const { summary: _rebuilt, ...actual } = fromLog as Manifest;
      expect(actual).toEqual(expected);
      return onDisk;
    }

    it("equals its manifest.json after a failure, a pause, an approval and each resume", async () => {
      const dir = repo();
      const first = await createOrchestrator(dir).start("graph", {
        taskId: "0101",
        approvalPolicy: "pause",
        continueOnFailure: true,
      });
      expect(first.status).toBe("failed");
      const failedRun = expectLogRebuildsManifest(dir, first.manifest);
      expect(failedRun.commands.map((known) => [known.id, known.status])).toEqual([
        ["lint", "succeeded"],
        ["flaky", "failed"],
        ["gate", "pending"],
        ["package", "pending"],
        ["deploy", "pending"],
      ]);
      expect(failedRun.commands[1]?.attempts).toHaveLength(2);

      fs.writeFileSync(path.join(dir, "fixed"), "");
      const second = await createOrchestrator(dir).resume(first.runId, { approvalPolicy: "pause" });
      expect(second.status).toBe("awaiting_approval");
      expectLogRebuildsManifest(dir, first.manifest);

      await createOrchestrator(dir).approve(first.runId, { stageId: "gate", actor: "alice", reason: "ok" });
      const third = await createOrchestrator(dir).resume(first.runId, { approvalPolicy: "pause" });
      expect(third.status).toBe("succeeded");
      const finished = expectLogRebuildsManifest(dir, first.manifest);
      expect(finished.approvals).toHaveLength(1);
      expect(finished.resume_events.map((event) => event.outcome)).toEqual(["accepted", "accepted"]);
      expect(finished.commands.every((known) => known.status === "succeeded")).toBe(true);
    });
  });
});

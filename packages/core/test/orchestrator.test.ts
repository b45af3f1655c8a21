import fs from "node:fs";
import path from "node:path";
import { parseManifest, RunEvent, type Manifest } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../test/helpers/temp-dir.js";
import {
  ApprovalError,
  ResumeRefusedError,
  type CodexOrchestrator,
  type OrchestratorEvents,
} from "../src/index.js";
import { commandStage, configJson, createOrchestrator } from "./support.js";

const DEMO_CONFIG = {
  pipelines: [
    {
      id: "demo",
      title: "Demo Pipeline",
      stages: [
        commandStage("prepare", "echo prepared >> prepare.count; echo preparing; echo careful >&2"),
        commandStage("optional", "echo flaky; exit 4", { allowFailure: true }),
        commandStage("check", 'test -f fixed || { echo "not fixed yet"; exit 2; }; echo checked'),
        commandStage("spec-guard", "bash scripts/spec-guard.sh --dry-run"),
      ],
    },
    { id: "quick", title: "Quick", stages: [commandStage("only", "echo quick")] },
  ],
};

function demoRepo(config: unknown = DEMO_CONFIG): string {
  const dir = tempDir();
  writeFiles(dir, {
    "codex.orchestrator.json": configJson(config),
    "scripts/spec-guard.sh": '#!/usr/bin/env bash\necho "spec guard ok $*"\n',
    "tasks/index.json": configJson({ tasks: [{ id: "0101", slug: "demo-task", title: "Demo" }] }),
  });
  return dir;
}

type Recorded = { name: keyof OrchestratorEvents; payload: Record<string, unknown> };

function recordEvents(orchestrator: CodexOrchestrator): Recorded[] {
  const events: Recorded[] = [];
  const names: (keyof OrchestratorEvents)[] = [
    "run:started",
    "stage:started",
    "stage:output",
    "stage:finished",
    "approval:requested",
    "run:completed",
    "run:finished",
    "warning",
  ];
  for (const name of names) {
    orchestrator.on(name, (payload) =>
      events.push({ name, payload: payload as unknown as Record<string, unknown> }),
    );
  }
  return events;
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function readLines(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function readManifestAt(dir: string, relative: string): Manifest {
  return parseManifest(readJson(path.join(dir, relative)), { source: relative });
}

describe("CodexOrchestrator.start end to end", () => {
  it("runs passing, allowFailure and failing stages and leaves every docs/contract.md §3 file", async () => {
    const dir = demoRepo();
    const orchestrator = createOrchestrator(dir);
    const events = recordEvents(orchestrator);

    const result = await orchestrator.start("demo", { taskId: "0101" });

    expect(result).toMatchObject({
      taskId: "0101",
      pipelineId: "demo",
      status: "failed",
      statusDetail: "stage:check:failed",
      exitCode: 1,
    });
    expect(result.runId).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f]{8}$/);
    const artifactRoot = `.runs/0101/cli/${result.runId}`;
    expect(result.artifactRoot).toBe(artifactRoot);
    expect(result.manifest).toBe(`${artifactRoot}/manifest.json`);
    expect(result.logPath).toBe(`${artifactRoot}/runner.ndjson`);
    const runDir = path.join(dir, artifactRoot);

    // manifest.json: complete, valid against the schema.
    const manifest = readManifestAt(dir, result.manifest);
    expect(manifest).toMatchObject({
      version: 1,
      task_id: "0101",
      task_slug: "demo-task",
      run_id: result.runId,
      parent_run_id: null,
      pipeline_id: "demo",
      pipeline_title: "Demo Pipeline",
      runner: "codex-cli",
      approval_policy: "prompt",
      status: "failed",
      status_detail: "stage:check:failed",
      heartbeat_interval_seconds: 5,
      heartbeat_stale_after_seconds: 30,
      artifact_root: artifactRoot,
      compat_path: `.runs/0101/mcp/${result.runId}/manifest.json`,
      log_path: `${artifactRoot}/runner.ndjson`,
      metrics_recorded: true,
      run_summary_path: `${artifactRoot}/run-summary.json`,
      child_runs: [],
      approvals: [],
      resume_events: [],
    });
    expect(manifest.completed_at).not.toBeNull();
    expect(
      manifest.commands.map((entry) => [entry.index, entry.id, entry.kind, entry.status, entry.exit_code]),
    ).toEqual([
      [1, "prepare", "command", "succeeded", 0],
      [2, "optional", "command", "skipped", 4],
      [3, "check", "command", "failed", 2],
      [4, "spec-guard", "command", "pending", null],
    ]);
    expect(manifest.commands[0]).toMatchObject({
      command: "echo prepared >> prepare.count; echo preparing; echo careful >&2",
      log_path: `${artifactRoot}/commands/01-prepare.ndjson`,
      error_file: null,
      sub_run_id: null,
    });
    expect(manifest.commands[1]?.error_file).toBe(`${artifactRoot}/errors/02-optional.json`);
    expect(manifest.commands[2]?.error_file).toBe(`${artifactRoot}/errors/03-check.json`);
    expect(manifest.commands[2]?.summary).toContain("not fixed yet");
    const summaryLines = manifest.summary.split("\n");
    expect(summaryLines[summaryLines.length - 1]).toBe("Guardrails: spec-guard pending (0/1 passed so far).");

    // .heartbeat, resume tokens.
    expect(fs.readFileSync(path.join(runDir, ".heartbeat"), "utf8")).toMatch(
      /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\n$/,
    );
    const token = readJson(path.join(runDir, "resume-token.json")) as Record<string, unknown>;
    expect(token).toEqual({
      run_id: result.runId,
      token: manifest.resume_token,
      created_at: manifest.started_at,
    });
    expect(manifest.resume_token).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readFileSync(path.join(runDir, ".resume-token"), "utf8")).toBe(`${manifest.resume_token}\n`);

    // runner.ndjson and commands/NN-<slug>.ndjson: valid events, every stage line also in the runner log.
    const runnerLines = readLines(path.join(runDir, "runner.ndjson"));
    for (const line of runnerLines) {
      expect(typeof line.type).toBe("string");
      expect(typeof line.timestamp).toBe("string");
      expect(RunEvent.safeParse(line).success, JSON.stringify(line)).toBe(true);
    }
    // The first line holds the run as laid out; every later state event has the next number.
    expect(runnerLines[0]?.type).toBe("run:created");
    expect(runnerLines[1]?.type).toBe("run:start");
    expect(runnerLines[runnerLines.length - 1]).toMatchObject({ type: "run:end", status: "failed" });
    expect(fs.readdirSync(path.join(runDir, "commands")).sort()).toEqual([
      "01-prepare.ndjson",
      "02-optional.ndjson",
      "03-check.ndjson",
    ]);
    const prepareLines = readLines(path.join(runDir, "commands", "01-prepare.ndjson"));
    expect(prepareLines.map((line) => line.type)).toEqual(
      expect.arrayContaining(["command:start", "command:stdout", "command:stderr", "command:end"]),
    );
    expect(prepareLines[0]).toMatchObject({
      type: "command:start",
      command: manifest.commands[0]?.command,
      index: 1,
    });
    expect(prepareLines[prepareLines.length - 1]).toMatchObject({
      type: "command:end",
      exit_code: 0,
      signal: null,
      index: 1,
    });
    expect(
      prepareLines
        .filter((line) => line.type === "command:stdout")
        .map((line) => line.data)
        .join(""),
    ).toBe("preparing\n");
    expect(
      prepareLines
        .filter((line) => line.type === "command:stderr")
        .map((line) => line.data)
        .join(""),
    ).toBe("careful\n");
    // The same events in both files; each file has its own hash chain (`prev`, docs/evidence.md).
    const withoutPrev = ({ prev: _prev, ...event }: Record<string, unknown>) => JSON.stringify(event);
    const runnerText = runnerLines.map(withoutPrev);
    for (const file of fs.readdirSync(path.join(runDir, "commands"))) {
      for (const line of readLines(path.join(runDir, "commands", file)))
        expect(runnerText).toContain(withoutPrev(line));
    }

    // errors/NN-<slug>.json.
    const errorFile = readJson(path.join(runDir, "errors", "03-check.json")) as Record<string, unknown>;
    expect(errorFile).toMatchObject({
      run_id: result.runId,
      stage_id: "check",
      index: 3,
      exit_code: 2,
      exit_reason: "exit",
      command_index: 3,
      command_id: "check",
      reason: "command-failed",
      details: { exit_code: 2 },
    });
    expect(errorFile.tail_lines).toEqual(["not fixed yet"]);

    // run-summary.json, compatibility pointers, metrics, state snapshot.
    expect(readJson(path.join(runDir, "run-summary.json"))).toMatchObject({
      run_id: result.runId,
      status: "failed",
    });
    expect(readJson(path.join(dir, ".runs/0101/mcp", result.runId, "manifest.json"))).toMatchObject({
      redirect_to: artifactRoot,
      manifest: result.manifest,
      created_at: expect.any(String),
      note: expect.any(String),
    });
    const localManifest = path.join(dir, ".runs/local-mcp", result.runId, "manifest.json");
    const compat = readJson(path.join(dir, ".runs/local-mcp", result.runId, "compat.json")) as Record<
      string,
      unknown
    >;
    expect(compat).toMatchObject({
      artifact_root: artifactRoot,
      manifest: result.manifest,
      created_at: expect.any(String),
    });
    if (compat.pointer === "symlink") {
      const target = fs.readlinkSync(localManifest);
      expect(path.isAbsolute(target)).toBe(false);
      expect(path.resolve(path.dirname(localManifest), target)).toBe(path.join(runDir, "manifest.json"));
    } else {
      expect(compat.pointer).toBe("stub");
    }
    const metrics = readLines(path.join(dir, ".runs/0101/metrics.json"));
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      run_id: result.runId,
      task_id: "0101",
      pipeline_id: "demo",
      status: "failed",
      commands_passed: 1,
      commands_failed: 1,
      // The guardrail stage never ran (the run stopped at the failure), so none succeeded.
      guardrails_present: false,
      child_runs: 0,
      approvals: 0,
    });
    const state = readJson(path.join(dir, "out/0101/state.json")) as {
      taskId: string;
      lastRunAt: string;
      runs: { run_id: string }[];
    };
    expect(state.taskId).toBe("0101");
    expect(state.runs.map((run) => run.run_id)).toEqual([result.runId]);

    // Events arrive in order.
    const lifecycle = events
      .filter((event) => event.name !== "stage:output" && event.name !== "warning")
      .map((event) =>
        event.name.startsWith("stage:") ? `${event.name}:${String(event.payload.stageId)}` : event.name,
      );
    expect(lifecycle).toEqual([
      "run:started",
      "stage:started:prepare",
      "stage:finished:prepare",
      "stage:started:optional",
      "stage:finished:optional",
      "stage:started:check",
      "stage:finished:check",
      "run:completed",
      "run:finished",
    ]);
    expect(events.filter((event) => event.name === "warning")).toEqual([]);
    const finished = events.filter((event) => event.name === "stage:finished").map((event) => event.payload);
    expect(finished.map((payload) => [payload.status, payload.exitCode])).toEqual([
      ["succeeded", 0],
      ["skipped", 4],
      ["failed", 2],
    ]);
    expect(finished[2]?.tail).toEqual(["not fixed yet"]);
    const output = events.filter(
      (event) => event.name === "stage:output" && event.payload.stageId === "prepare",
    );
    expect(
      output.map((event) => `${String(event.payload.stream)}:${String(event.payload.data)}`).sort(),
    ).toEqual(["stderr:careful\n", "stdout:preparing\n"]);
    expect(events.find((event) => event.name === "run:finished")?.payload).toEqual({
      runId: result.runId,
      status: "failed",
      statusDetail: "stage:check:failed",
      manifest: result.manifest,
    });
  });

  it("resumes after the failure is fixed, re-running only stages that did not succeed", async () => {
    const dir = demoRepo();
    const first = await createOrchestrator(dir).start("demo", { taskId: "0101" });
    expect(first.status).toBe("failed");
    const token = (readJson(path.join(dir, first.artifactRoot, "resume-token.json")) as { token: string })
      .token;

    writeFiles(dir, { fixed: "" });
    const orchestrator = createOrchestrator(dir);
    const events = recordEvents(orchestrator);
    const resumed = await orchestrator.resume(first.runId, {
      token,
      actor: "alice",
      reason: "fixed the check",
    });

    expect(resumed).toMatchObject({
      runId: first.runId,
      status: "succeeded",
      statusDetail: null,
      exitCode: 0,
    });
    expect(resumed.manifest).toBe(first.manifest);
    expect(fs.readFileSync(path.join(dir, "prepare.count"), "utf8")).toBe("prepared\n");
    expect(
      events.filter((event) => event.name === "stage:started").map((event) => event.payload.stageId),
    ).toEqual(["check", "spec-guard"]);
    expect(events.find((event) => event.name === "run:started")?.payload.resumed).toBe(true);

    const manifest = readManifestAt(dir, first.manifest);
    expect(manifest.status).toBe("succeeded");
    expect(manifest.completed_at).not.toBeNull();
    expect(manifest.commands.map((entry) => entry.status)).toEqual([
      "succeeded",
      "skipped",
      "succeeded",
      "succeeded",
    ]);
    expect(manifest.resume_events).toEqual([
      expect.objectContaining({
        actor: "alice",
        reason: "fixed the check",
        outcome: "accepted",
        detail: "resuming at stage check",
      }),
    ]);
    expect(manifest.summary.split("\n").pop()).toBe("Guardrails: spec-guard succeeded (1 passed).");
    const metrics = readLines(path.join(dir, ".runs/0101/metrics.json"));
    expect(metrics.map((line) => line.status)).toEqual(["failed", "succeeded"]);
    expect(fs.readdirSync(path.join(dir, first.artifactRoot, "commands"))).toContain("04-spec-guard.ndjson");

    // A succeeded run has nothing left to resume.
    await expect(createOrchestrator(dir).resume(first.runId)).rejects.toBeInstanceOf(ResumeRefusedError);
  });

  it("refuses a wrong resume token and records the refusal as blocked", async () => {
    const dir = demoRepo();
    const first = await createOrchestrator(dir).start("demo", { taskId: "0101" });
    const orchestrator = createOrchestrator(dir);
    await expect(
      orchestrator.resume(first.runId, { token: "not-the-token", actor: "mallory" }),
    ).rejects.toMatchObject({
      code: "ERR_RESUME_REFUSED",
      message: `Resume token does not match run ${first.runId}`,
    });
    const manifest = readManifestAt(dir, first.manifest);
    expect(manifest.status).toBe("failed");
    expect(manifest.resume_events).toEqual([
      expect.objectContaining({ actor: "mallory", outcome: "blocked", detail: "resume token mismatch" }),
    ]);
  });

  it("reports status fields of a finished run, with the failing stage and its tail", async () => {
    const dir = demoRepo();
    const orchestrator = createOrchestrator(dir);
    const result = await orchestrator.start("demo", { taskId: "0101" });
    const status = await orchestrator.status(result.runId);
    expect(status).toMatchObject({
      run_id: result.runId,
      task_id: "0101",
      pipeline_id: "demo",
      status: "failed",
      status_detail: "stage:check:failed",
      manifest: result.manifest,
      artifact_root: result.artifactRoot,
      log_path: result.logPath,
      compat_path: `.runs/0101/mcp/${result.runId}/manifest.json`,
      parent_run_id: null,
      metrics: { recorded: true, path: ".runs/0101/metrics.json" },
      child_runs: [],
      approvals: [],
      failure: {
        stage_id: "check",
        index: 3,
        exit_code: 2,
        error_file: `${result.artifactRoot}/errors/03-check.json`,
        tail: ["not fixed yet"],
      },
    });
    expect(status.heartbeat).toMatchObject({ interval_seconds: 5, stale_after_seconds: 30 });
    expect(status.heartbeat.updated_at).not.toBeNull();
    expect(status.commands).toHaveLength(4);
    expect((status.owner as { alive?: boolean } | null | undefined)?.alive ?? false).toBe(false);
    await expect(orchestrator.status("2020-01-01T00-00-00-000Z-00000000")).rejects.toThrow(/not found/);
    await expect(orchestrator.status("../escape")).rejects.toThrow(/the `runId` argument/);
  });

  it("lists runs newest first and filters them by task, status, pipeline, date and limit", async () => {
    const dir = demoRepo();
    const orchestrator = createOrchestrator(dir);
    const failed = await orchestrator.start("demo", { taskId: "0101" });
    const quick = await orchestrator.start("quick", { taskId: "0101" });
    const other = await orchestrator.start("quick", { taskId: "0102" });
    expect([failed.status, quick.status, other.status]).toEqual(["failed", "succeeded", "succeeded"]);

    const ids = async (filter: Parameters<CodexOrchestrator["listRuns"]>[0]) =>
      (await orchestrator.listRuns(filter)).map((run) => run.run_id);
    expect(await ids({})).toEqual([other.runId, quick.runId, failed.runId]);
    expect(await ids({ taskId: "0101" })).toEqual([quick.runId, failed.runId]);
    expect(await ids({ status: "failed" })).toEqual([failed.runId]);
    expect(await ids({ pipelineId: "quick" })).toEqual([other.runId, quick.runId]);
    expect(await ids({ limit: 1 })).toEqual([other.runId]);
    expect(await ids({ since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await ids({ since: new Date(Date.now() - 60 * 60_000) })).toHaveLength(3);
    const row = (await orchestrator.listRuns({ status: "failed" }))[0];
    expect(row).toMatchObject({
      task_id: "0101",
      pipeline_id: "demo",
      parent_run_id: null,
      manifest: failed.manifest,
      guardrails: "Guardrails: spec-guard pending (0/1 passed so far).",
    });
    expect((await orchestrator.latestRun())?.runId).toBe(other.runId);
    expect((await orchestrator.latestRun("0101"))?.runId).toBe(quick.runId);
    await expect(orchestrator.listRuns({ taskId: "../x" })).rejects.toThrow(/the `taskId` option/);
  });
});

describe("CodexOrchestrator gates, nesting, cancellation and redaction", () => {
  const gateConfig = {
    pipelines: [
      {
        id: "gated",
        title: "Gated",
        stages: [
          commandStage("before", "echo before"),
          { kind: "manual", id: "sign-off", title: "Sign off", instructions: "Check the output" },
          commandStage("after", "echo after > after.txt"),
        ],
      },
    ],
  };

  it("pauses at a manual gate, records an approval with its citation, and resume continues past it", async () => {
    const dir = demoRepo(gateConfig);
    const orchestrator = createOrchestrator(dir);
    const events = recordEvents(orchestrator);
    const paused = await orchestrator.start("gated", { taskId: "0101", approvalPolicy: "pause" });
    expect(paused).toMatchObject({
      status: "awaiting_approval",
      statusDetail: "approval:sign-off:pending",
      exitCode: 3,
    });
    const requested = events.find((event) => event.name === "approval:requested")?.payload;
    expect(requested).toMatchObject({
      runId: paused.runId,
      stageId: "sign-off",
      instructions: "Check the output",
    });
    expect(fs.existsSync(path.join(dir, "after.txt"))).toBe(false);

    await expect(orchestrator.approve(paused.runId, { stageId: "before", actor: "bob" })).rejects.toThrow(
      ApprovalError,
    );
    await expect(
      orchestrator.approve(paused.runId, { stageId: "sign-off", actor: "bob", planHash: "sha256:other" }),
    ).rejects.toThrow(ApprovalError);
    const recorded = await orchestrator.approve(paused.runId, {
      stageId: "sign-off",
      actor: "bob",
      reason: "reviewed",
    });
    expect(recorded.citation).toBe(`${paused.manifest}#approvals[0]`);
    expect(recorded.approval).toMatchObject({
      stage_id: "sign-off",
      actor: "bob",
      decision: "approved",
      plan_hash: requested?.planHash,
    });

    const resumed = await createOrchestrator(dir).resume(paused.runId, { approvalPolicy: "pause" });
    expect(resumed.status).toBe("succeeded");
    expect(fs.readFileSync(path.join(dir, "after.txt"), "utf8")).toBe("after\n");
    const manifest = readManifestAt(dir, paused.manifest);
    expect(manifest.approvals).toHaveLength(1);
    expect(manifest.approvals[0]).toMatchObject({ actor: "bob", decision: "approved", reason: "reviewed" });
  });

  it("decides gates by policy: auto-approve succeeds, auto-reject fails the run", async () => {
    const dir = demoRepo(gateConfig);
    const approved = await createOrchestrator(dir).start("gated", {
      taskId: "0101",
      approvalPolicy: "auto-approve",
    });
    expect(approved.status).toBe("succeeded");
    expect(readManifestAt(dir, approved.manifest).approvals[0]).toMatchObject({
      actor: "policy:auto-approve",
      decision: "approved",
    });
    const rejected = await createOrchestrator(dir).start("gated", {
      taskId: "0101",
      approvalPolicy: "auto-reject",
    });
    expect(rejected).toMatchObject({
      status: "failed",
      statusDetail: "approval:sign-off:rejected",
      exitCode: 1,
    });
    await expect(createOrchestrator(dir).start("gated", { approvalPolicy: "may be" })).rejects.toMatchObject({
      code: "ERR_APPROVAL_POLICY",
    });
  });

  it("runs a subpipeline as a child run recorded in the parent's child_runs", async () => {
    const dir = demoRepo({
      pipelines: [
        {
          id: "child",
          title: "Child",
          stages: [commandStage("inner", 'echo "$CODEX_ORCHESTRATOR_PARENT_RUN_ID" > parent.txt')],
        },
        {
          id: "parent",
          title: "Parent",
          stages: [{ kind: "subpipeline", id: "nested", title: "Nested", pipeline: "child" }],
        },
      ],
    });
    const result = await createOrchestrator(dir).start("parent", { taskId: "0101" });
    expect(result.status).toBe("succeeded");
    const manifest = readManifestAt(dir, result.manifest);
    expect(manifest.child_runs).toHaveLength(1);
    const child = manifest.child_runs[0]!;
    expect(child).toMatchObject({ task_id: "0101", pipeline_id: "child", status: "succeeded" });
    expect(manifest.commands[0]?.sub_run_id).toBe(child.run_id);
    const childManifest = readManifestAt(dir, child.manifest);
    expect(childManifest.parent_run_id).toBe(result.runId);
    expect(fs.readFileSync(path.join(dir, "parent.txt"), "utf8")).toBe(`${child.run_id}\n`);
  });

  it("resumes a failed child run in place: same child run id, no duplicate child_runs entry", async () => {
    const dir = demoRepo({
      pipelines: [
        { id: "child", title: "Child", stages: [commandStage("inner", "test -f fixed")] },
        {
          id: "parent",
          title: "Parent",
          stages: [
            { kind: "subpipeline", id: "nested", title: "Nested", pipeline: "child" },
            commandStage("last", "echo last"),
          ],
        },
      ],
    });
    const first = await createOrchestrator(dir).start("parent", { taskId: "0101" });
    expect(first).toMatchObject({ status: "failed", statusDetail: "subpipeline:nested:failed" });
    const before = readManifestAt(dir, first.manifest);
    expect(before.child_runs.map((child) => child.status)).toEqual(["failed"]);
    const childRunId = before.child_runs[0]!.run_id;

    writeFiles(dir, { fixed: "" });
    const resumed = await createOrchestrator(dir).resume(first.runId);
    expect(resumed.status).toBe("succeeded");
    const after = readManifestAt(dir, first.manifest);
    expect(after.child_runs).toEqual([expect.objectContaining({ run_id: childRunId, status: "succeeded" })]);
    expect(after.commands[0]?.sub_run_id).toBe(childRunId);
    expect(readManifestAt(dir, after.child_runs[0]!.manifest).status).toBe("succeeded");
  });

  it("keeps every metrics line when runs of one task finish concurrently", async () => {
    const dir = demoRepo();
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => createOrchestrator(dir).start("quick", { taskId: "0101" })),
    );
    expect(new Set(results.map((result) => result.runId)).size).toBe(4);
    const metrics = readLines(path.join(dir, ".runs/0101/metrics.json"));
    expect(metrics.map((line) => line.run_id).sort()).toEqual(results.map((result) => result.runId).sort());
  });

  it("cancels the run when aborted: the stage is stopped and failed, the status names the signal", async () => {
    const dir = demoRepo({
      pipelines: [
        {
          id: "slow",
          title: "Slow",
          stages: [commandStage("wait", "echo started; sleep 100"), commandStage("never", "true")],
        },
      ],
    });
    const orchestrator = createOrchestrator(dir);
    const controller = new AbortController();
    orchestrator.on("stage:output", (event) => {
      if (event.data.includes("started")) controller.abort("SIGINT");
    });
    const result = await orchestrator.start("slow", { taskId: "0101", abortSignal: controller.signal });
    expect(result).toMatchObject({ status: "cancelled", statusDetail: "signal:SIGINT", exitCode: 130 });
    const manifest = readManifestAt(dir, result.manifest);
    expect(manifest.commands.map((entry) => entry.status)).toEqual(["failed", "pending"]);
    expect(manifest.commands[0]?.exit_code).not.toBe(0);
  });

  it("names a timed-out stage and a stage whose cwd is missing in status_detail", async () => {
    const dir = demoRepo({
      pipelines: [
        { id: "slow", title: "Slow", stages: [commandStage("hang", "sleep 100", { timeoutSeconds: 0.3 })] },
        { id: "lost", title: "Lost", stages: [commandStage("nowhere", "true", { cwd: "missing/folder" })] },
      ],
    });
    const slow = await createOrchestrator(dir).start("slow", { taskId: "0101" });
    expect(slow).toMatchObject({ status: "failed", statusDetail: "stage:hang:timeout", exitCode: 1 });
    expect(readManifestAt(dir, slow.manifest).commands[0]).toMatchObject({
      status: "failed",
      summary: "timed out after 0.3s",
    });
    const lost = await createOrchestrator(dir).start("lost", { taskId: "0101" });
    expect(lost).toMatchObject({ status: "failed", statusDetail: "stage:nowhere:error" });
    const errorFile = readJson(path.join(dir, lost.artifactRoot, "errors", "01-nowhere.json")) as Record<
      string,
      unknown
    >;
    expect(errorFile).toMatchObject({
      exit_reason: "spawn-error",
      reason: "command-failed",
      cwd: "missing/folder",
    });
  });

  it("redacts secrets from the environment in every artifact", async () => {
    const secret = "s3cr3t-value-for-test";
    const dir = demoRepo({
      pipelines: [
        {
          id: "leak",
          title: "Leak",
          stages: [commandStage("print", 'echo "token is $DEPLOY_TOKEN"; exit 1')],
        },
      ],
    });
    const result = await createOrchestrator(dir, { extraEnv: { DEPLOY_TOKEN: secret } }).start("leak", {
      taskId: "0101",
    });
    expect(result.status).toBe("failed");
    const runDir = path.join(dir, result.artifactRoot);
    const texts = [
      fs.readFileSync(path.join(runDir, "runner.ndjson"), "utf8"),
      fs.readFileSync(path.join(runDir, "commands", "01-print.ndjson"), "utf8"),
      fs.readFileSync(path.join(runDir, "errors", "01-print.json"), "utf8"),
      fs.readFileSync(path.join(runDir, "manifest.json"), "utf8"),
    ];
    for (const text of texts) expect(text).not.toContain(secret);
    expect(texts[1]).toContain("token is [REDACTED]");
  });

  it("reports unknown pipelines and bad task ids before creating any run", async () => {
    const dir = demoRepo();
    const orchestrator = createOrchestrator(dir);
    await expect(orchestrator.start("nope", { taskId: "0101" })).rejects.toMatchObject({
      code: "ERR_UNKNOWN_PIPELINE",
    });
    await expect(orchestrator.start("demo", { taskId: "../escape" })).rejects.toThrow(
      /from the `taskId` option/,
    );
    expect(fs.existsSync(path.join(dir, ".runs"))).toBe(false);
  });

  it("takes the task id from MCP_RUNNER_TASK_ID when no flag is given", async () => {
    const dir = demoRepo();
    const result = await createOrchestrator(dir, { extraEnv: { MCP_RUNNER_TASK_ID: "0777" } }).start("quick");
    expect(result.taskId).toBe("0777");
    expect(result.manifest).toBe(`.runs/0777/cli/${result.runId}/manifest.json`);
  });
});

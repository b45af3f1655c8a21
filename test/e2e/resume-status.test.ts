import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { readJson, readNdjson, runCli, runCliJson, spawnCli } from "../helpers/cli.js";
import {
  command,
  expectArtifact,
  expectCompleteRunArtifacts,
  isAlive,
  pipeline,
  readLines,
  readManifest,
  startJson,
  tempRepo,
  waitFor,
  type EventLine,
} from "./support.js";

interface StatusJson {
  run_id: string;
  status: string;
  status_detail: string | null;
  heartbeat: { stale: boolean; age_seconds: number | null; owner_alive?: boolean | null };
  metrics: { recorded: boolean; path: string };
  failure?: { stage_id: string; tail: string[] } | null;
  child_runs: { run_id: string; status: string }[];
}

/** Stage 3 fails until `fixed.marker` exists; stage 1 counts its runs in count.txt. */
const FIXABLE_CONFIG = {
  pipelines: [
    pipeline("fixable", [
      command("count", "echo ran >> count.txt"),
      command("soft", "exit 1", { allowFailure: true }),
      command("needs-fix", 'if [ -f fixed.marker ]; then echo fixed; else echo "not fixed yet"; exit 5; fi'),
      command("last", "echo last"),
    ]),
  ],
};

function commandStarts(root: string, logPath: string): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const event of readNdjson<EventLine>(root, logPath)) {
    if (event.type === "command:start" && event.index !== null)
      counts[event.index] = (counts[event.index] ?? 0) + 1;
  }
  return counts;
}

function tokenOf(root: string, artifactRoot: string): string {
  return readJson<{ token: string }>(root, `${artifactRoot}/resume-token.json`).token;
}

describe("resume a failed run", () => {
  it("re-runs only what did not succeed, appends to the logs and records the resume everywhere", () => {
    const root = tempRepo(FIXABLE_CONFIG);
    const first = startJson(root, ["fixable", "--task", "0600"]);
    expect(first.status).toBe(1);
    const {
      run_id: runId,
      artifact_root: artifactRoot,
      manifest: manifestPath,
      log_path: logPath,
    } = first.json;
    const failed = expectCompleteRunArtifacts(root, manifestPath);
    expect(failed.status_detail).toBe("stage:needs-fix:failed");
    const runnerBefore = readFileSync(path.join(root, logPath), "utf8");
    const stageLogBefore = readFileSync(
      path.join(root, artifactRoot, "commands/03-needs-fix.ndjson"),
      "utf8",
    );

    // Status of the failed run names the failing stage with the tail of its output.
    const status = runCliJson<StatusJson>(root, ["status", runId]);
    expect(status.json.failure).toMatchObject({ stage_id: "needs-fix" });
    expect(status.json.failure?.tail).toContain("not fixed yet");
    expect(runCli(root, ["status", runId]).stdout).toContain("not fixed yet");

    writeFileSync(path.join(root, "fixed.marker"), "");
    const resumed = runCliJson(root, [
      "resume",
      "--run",
      runId,
      "--token",
      tokenOf(root, artifactRoot),
      "--actor",
      "dana",
      "--reason",
      "marker added",
    ]);

    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toBe(`${JSON.stringify(resumed.json, null, 2)}\n`);
    expect(resumed.json).toMatchObject({
      run_id: runId,
      status: "succeeded",
      manifest: manifestPath,
      log_path: logPath,
    });
    const manifest = expectCompleteRunArtifacts(root, manifestPath);
    expect(manifest).toMatchObject({ status: "succeeded", status_detail: null, run_id: runId });
    expect(manifest.commands.map((entry) => entry.status)).toEqual([
      "succeeded",
      "skipped",
      "succeeded",
      "succeeded",
    ]);
    expect(Date.parse(manifest.completed_at ?? "")).toBeGreaterThanOrEqual(
      Date.parse(failed.completed_at ?? ""),
    );
    expect(manifest.resume_events).toEqual([
      expect.objectContaining({ actor: "dana", reason: "marker added", outcome: "accepted" }),
    ]);

    // Succeeded and skipped stages did not run again; the failed one ran twice.
    expect(readFileSync(path.join(root, "count.txt"), "utf8")).toBe("ran\n");
    expect(commandStarts(root, logPath)).toEqual({ 1: 1, 2: 1, 3: 2, 4: 1 });

    // Logs were appended to, not rewritten.
    const runnerAfter = readFileSync(path.join(root, logPath), "utf8");
    expect(runnerAfter.startsWith(runnerBefore)).toBe(true);
    const stageLogAfter = readFileSync(path.join(root, artifactRoot, "commands/03-needs-fix.ndjson"), "utf8");
    expect(stageLogAfter.startsWith(stageLogBefore)).toBe(true);
    expect(stageLogAfter.length).toBeGreaterThan(stageLogBefore.length);
    const appended = runnerAfter
      .slice(runnerBefore.length)
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as EventLine);
    expect(appended.some((event) => event.type.includes("resume"))).toBe(true);
    expect(appended.at(-1)).toMatchObject({ type: "run:end", status: "succeeded" });

    // A second metrics line; run summary and state snapshot updated (one entry per run).
    const metrics = readNdjson(root, ".runs/0600/metrics.json");
    expect(metrics.map((line) => [line.run_id, line.status])).toEqual([
      [runId, "failed"],
      [runId, "succeeded"],
    ]);
    expect(readJson(root, `${artifactRoot}/run-summary.json`)).toMatchObject({ status: "succeeded" });
    const state = readJson<{ runs: { run_id: string; status: string }[] }>(root, "out/0600/state.json");
    expect(state.runs.filter((run) => run.run_id === runId)).toEqual([
      expect.objectContaining({ status: "succeeded" }),
    ]);
  });

  it("runs the pipeline as it was when the run started, not today's config", () => {
    const root = tempRepo(FIXABLE_CONFIG);
    const first = startJson(root, ["fixable"]);
    expect(first.status).toBe(1);
    writeFileSync(
      path.join(root, "codex.orchestrator.json"),
      JSON.stringify({ pipelines: [pipeline("fixable", [command("other", "touch other.txt")])] }),
    );
    writeFileSync(path.join(root, "fixed.marker"), "");

    const resumed = runCliJson(root, ["resume", first.json.run_id]);

    expect(resumed.status).toBe(0);
    expect(existsSync(path.join(root, "other.txt"))).toBe(false);
    expect(readManifest(root, first.json.manifest).commands.map((entry) => entry.id)).toEqual([
      "count",
      "soft",
      "needs-fix",
      "last",
    ]);
  });
});

describe("resume refusals (exit 2, recorded as blocked)", () => {
  it("refuses a wrong --token", () => {
    const root = tempRepo(FIXABLE_CONFIG);
    const first = startJson(root, ["fixable"]);
    writeFileSync(path.join(root, "fixed.marker"), "");

    const refused = runCli(root, ["resume", first.json.run_id, "--token", "not-the-token", "--actor", "eve"]);

    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/token/i);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    const manifest = readManifest(root, first.json.manifest);
    expect(manifest.status).toBe("failed");
    expect(manifest.resume_events).toEqual([expect.objectContaining({ outcome: "blocked", actor: "eve" })]);
    expect(commandStarts(root, first.json.log_path)[3]).toBe(1);
  });

  it("refuses a run that already succeeded", () => {
    const root = tempRepo({ pipelines: [pipeline("ok", [command("one", "echo one >> count.txt")])] });
    const first = startJson(root, ["ok"]);
    expect(first.status).toBe(0);

    const refused = runCli(root, ["resume", first.json.run_id]);

    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/succeeded/);
    const manifest = expectCompleteRunArtifacts(root, first.json.manifest);
    expect(manifest.status).toBe("succeeded");
    expect(manifest.resume_events).toEqual([expect.objectContaining({ outcome: "blocked" })]);
    expect(readFileSync(path.join(root, "count.txt"), "utf8")).toBe("one\n");
    expect(readNdjson(root, ".runs/0101/metrics.json")).toHaveLength(1);
  });

  it("refuses an unknown run id", () => {
    const root = tempRepo(FIXABLE_CONFIG);

    const refused = runCli(root, ["resume", "2020-01-01T00-00-00-000Z-deadbeef"]);

    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("2020-01-01T00-00-00-000Z-deadbeef");
  });
});

const SLOW_CONFIG = {
  pipelines: [
    pipeline("slow", [
      command("first", "echo first >> first.txt"),
      // Until fixed.marker exists: record the shell's pid, then become `sleep 30`.
      command("wait", "if [ -f fixed.marker ]; then echo done; else echo $$ > sleep.pid; exec sleep 30; fi"),
      command("last", "echo last"),
    ]),
  ],
};

describe("a live run and a killed run", () => {
  it("refuses to resume a live run, reports a killed one stale at once, and resumes it", async () => {
    const root = tempRepo(SLOW_CONFIG);
    const orchestrator = spawnCli(root, ["start", "slow", "--task", "0707"]);
    const exited = once(orchestrator, "exit");
    onTestFinished(() => {
      if (orchestrator.exitCode === null && orchestrator.signalCode === null) orchestrator.kill("SIGKILL");
      const pidFile = path.join(root, "sleep.pid");
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, "utf8"));
        if (pid > 0 && isAlive(pid)) process.kill(pid, "SIGKILL");
      }
    });
    const sleepPid = await waitFor(() => {
      const text = readFileSync(path.join(root, "sleep.pid"), "utf8");
      return text.endsWith("\n") ? Number(text) : undefined;
    }, "the slow stage to start");
    const runId = await waitFor(() => {
      const listed = runCliJson<{ run_id: string; status: string }[]>(root, ["runs", "--task", "0707"]).json;
      return listed[0]?.status === "in_progress" ? listed[0].run_id : undefined;
    }, "the run to be listed as in_progress");
    const manifestPath = `.runs/0707/cli/${runId}/manifest.json`;

    // While it runs: status says alive and fresh; resume is refused (live owner).
    const live = runCliJson<StatusJson>(root, ["status", runId]);
    expect(live.json.status).toBe("in_progress");
    expect(live.json.heartbeat.stale).toBe(false);
    expect(live.json.heartbeat.owner_alive).toBe(true);
    const refused = runCli(root, ["resume", runId, "--actor", "frank"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/running|alive|owned/i);
    // The live owner folds the refusal into its manifest on its next write; the final manifest shows it.

    // Kill the orchestrator outright: no chance to write anything.
    orchestrator.kill("SIGKILL");
    await exited;
    process.kill(sleepPid, "SIGKILL");

    const stale = runCliJson<StatusJson>(root, ["status", "--run", runId]);
    expect(stale.status).toBe(0);
    expectArtifact("status-output", stale.json, "status --format json");
    expect(stale.json.status).toBe("in_progress");
    expect(stale.json.heartbeat.stale).toBe(true);
    expect(stale.json.heartbeat.owner_alive).toBe(false);
    // Stale because the owner is gone, not because 30 s passed.
    expect(stale.json.heartbeat.age_seconds).toBeLessThan(30);
    expect(runCli(root, ["status", runId]).stdout).toMatch(/stale/i);

    writeFileSync(path.join(root, "fixed.marker"), "");
    const resumed = runCliJson(root, ["resume", runId, "--actor", "frank", "--reason", "crashed"]);

    expect(resumed.status).toBe(0);
    expect(resumed.json).toMatchObject({ run_id: runId, status: "succeeded" });
    const manifest = expectCompleteRunArtifacts(root, manifestPath);
    expect(manifest.commands.map((entry) => entry.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(manifest.resume_events.map((event) => [event.actor, event.outcome])).toEqual([
      ["frank", "blocked"],
      ["frank", "accepted"],
    ]);
    expect(readFileSync(path.join(root, "first.txt"), "utf8")).toBe("first\n");
    expect(readNdjson(root, ".runs/0707/metrics.json").map((line) => line.status)).toEqual(["succeeded"]);
    const after = runCliJson<StatusJson>(root, ["status", runId]);
    expect(after.json.heartbeat.stale).toBe(false);
    expect(after.json.metrics.recorded).toBe(true);
  });
});

describe("status", () => {
  it("prints every field docs/contract.md §1 lists, valid against the schema", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("parent", [
          command("one", "echo one"),
          { kind: "subpipeline", id: "kid", title: "Kid", pipeline: "child" },
        ]),
        pipeline("child", [command("two", "echo two")]),
      ],
    });
    const run = startJson(root, ["parent"]);

    const status = runCliJson<Record<string, unknown>>(root, ["status", run.json.run_id]);

    expect(status.status).toBe(0);
    expect(status.stdout).toBe(`${JSON.stringify(status.json, null, 2)}\n`);
    expectArtifact("status-output", status.json, "status --format json");
    for (const field of [
      "run_id",
      "task_id",
      "pipeline_id",
      "status",
      "status_detail",
      "started_at",
      "completed_at",
      "manifest",
      "artifact_root",
      "log_path",
      "compat_path",
      "parent_run_id",
      "heartbeat_at",
      "heartbeat",
      "metrics",
      "commands",
      "child_runs",
      "approvals",
    ]) {
      expect(status.json, field).toHaveProperty(field);
    }
    expect(Object.keys(status.json.heartbeat as object)).toEqual(
      expect.arrayContaining([
        "updated_at",
        "age_seconds",
        "stale",
        "interval_seconds",
        "stale_after_seconds",
      ]),
    );
    expect(status.json).toMatchObject({
      run_id: run.json.run_id,
      task_id: "0101",
      pipeline_id: "parent",
      status: "succeeded",
      manifest: run.json.manifest,
      artifact_root: run.json.artifact_root,
      log_path: run.json.log_path,
      compat_path: `.runs/0101/mcp/${run.json.run_id}/manifest.json`,
      parent_run_id: null,
      heartbeat: { interval_seconds: 5, stale_after_seconds: 30, stale: false },
      metrics: { recorded: true, path: ".runs/0101/metrics.json" },
      approvals: [],
    });
    expect(status.json.child_runs).toEqual([
      expect.objectContaining({ pipeline_id: "child", status: "succeeded" }),
    ]);
    expect((status.json.commands as unknown[]).length).toBe(2);

    const text = runCli(root, ["status", "--run", run.json.run_id]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(run.json.run_id);
    expect(text.stdout).toContain("succeeded");
    expect(text.stdout).toContain(run.json.manifest);
  });

  it("finds a run by its id alone, whatever its task", () => {
    const root = tempRepo({ pipelines: [pipeline("ok", [command("one", "true")])] });
    const run = startJson(root, ["ok", "--task", "0999"]);

    const status = runCliJson<StatusJson>(root, ["status", run.json.run_id], {
      env: { MCP_RUNNER_TASK_ID: "0111" },
    });

    expect(status.status).toBe(0);
    expect(status.json).toMatchObject({ run_id: run.json.run_id, task_id: "0999" });
  });

  it("--watch --interval 1 polls until the run is terminal, one compact JSON document per line", async () => {
    const root = tempRepo({ pipelines: [pipeline("slowish", [command("nap", "sleep 3")])] });
    const orchestrator = spawnCli(root, ["start", "slowish", "--format", "json"]);
    const exited = once(orchestrator, "exit");
    onTestFinished(() => {
      if (orchestrator.exitCode === null && orchestrator.signalCode === null) orchestrator.kill("SIGKILL");
    });
    const runId = await waitFor(() => {
      const listed = runCliJson<{ run_id: string }[]>(root, ["runs"]).json;
      return listed[0]?.run_id;
    }, "the run to appear");

    const watched = runCli(root, ["status", runId, "--watch", "--interval", "1", "--format", "json"]);

    expect(watched.status).toBe(0);
    const lines = watched.stdout.split("\n").filter((line) => line !== "");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const documents = lines.map((line) => JSON.parse(line) as StatusJson);
    for (const document of documents) expectArtifact("status-output", document, "watch line");
    expect(documents.at(-1)?.status).toBe("succeeded");
    expect(documents.slice(0, -1).every((document) => document.status === "in_progress")).toBe(true);
    await exited;
  });

  it("--watch on a finished run prints once and exits with the run's code", () => {
    const root = tempRepo({ pipelines: [pipeline("bad", [command("boom", "exit 9")])] });
    const run = startJson(root, ["bad"]);

    const watched = runCli(root, ["status", run.json.run_id, "--watch", "--interval=1", "--format=json"]);
    const text = runCli(root, ["status", run.json.run_id, "--watch", "--interval", "1"]);

    expect(watched.status).toBe(1);
    expect(watched.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(watched.stdout)).toMatchObject({
      status: "failed",
      status_detail: "stage:boom:failed",
    });
    expect(text.status).toBe(1);
    expect(text.stdout).toContain("stage:boom:failed");
  });

  it("--latest picks the newest run, of all tasks or of --task", () => {
    const root = tempRepo({ pipelines: [pipeline("ok", [command("one", "true")])] });
    const a = startJson(root, ["ok", "--task", "0001"]);
    const b = startJson(root, ["ok", "--task", "0002"]);
    const c = startJson(root, ["ok", "--task", "0001"]);
    const d = startJson(root, ["ok", "--task", "0002"]);
    expect(a.json.run_id < c.json.run_id && b.json.run_id < d.json.run_id).toBe(true);

    const latest = runCliJson<StatusJson>(root, ["status", "--latest"]);
    const latestOfTask = runCliJson<StatusJson>(root, ["status", "--latest", "--task", "0001"]);
    const none = runCli(root, ["status", "--latest", "--task", "0003"]);

    expect(latest.json.run_id).toBe(d.json.run_id);
    expect(latestOfTask.json.run_id).toBe(c.json.run_id);
    expect(none.status).toBe(2);
  });
});

describe("a resumed child run", () => {
  const NESTED = {
    pipelines: [
      pipeline("parent", [{ kind: "subpipeline", id: "kid", title: "Kid", pipeline: "child", task: "0808" }]),
      pipeline("child", [command("check", "test -f fixed.marker")]),
    ],
  };

  it("updates its entry in the parent's child_runs when resumed directly", () => {
    const root = tempRepo(NESTED);
    const parent = startJson(root, ["parent"]);
    expect(parent.status).toBe(1);
    const childEntry = readManifest(root, parent.json.manifest).child_runs[0];
    expect(childEntry).toMatchObject({ status: "failed", task_id: "0808" });
    writeFileSync(path.join(root, "fixed.marker"), "");

    const resumed = runCliJson(root, ["resume", childEntry?.run_id ?? ""]);

    expect(resumed.status).toBe(0);
    const after = readManifest(root, parent.json.manifest);
    expect(after.child_runs).toEqual([{ ...childEntry, status: "succeeded" }]);
    expectCompleteRunArtifacts(root, childEntry?.manifest ?? "");
  });

  it("resuming the parent resumes the same child, with no duplicate entry", () => {
    const root = tempRepo(NESTED);
    const parent = startJson(root, ["parent"]);
    const childEntry = readManifest(root, parent.json.manifest).child_runs[0];
    writeFileSync(path.join(root, "fixed.marker"), "");

    const resumed = runCliJson(root, ["resume", parent.json.run_id]);

    expect(resumed.status).toBe(0);
    const after = expectCompleteRunArtifacts(root, parent.json.manifest);
    expect(after.child_runs.map((child) => [child.run_id, child.status])).toEqual([
      [childEntry?.run_id, "succeeded"],
    ]);
    expect(after.commands[0]?.sub_run_id).toBe(childEntry?.run_id);
    const child = expectCompleteRunArtifacts(root, childEntry?.manifest ?? "");
    expect(child).toMatchObject({ status: "succeeded", parent_run_id: parent.json.run_id });
    expect(readLines(path.join(root, ".runs/0808/metrics.json"))).toHaveLength(2);
  });
});

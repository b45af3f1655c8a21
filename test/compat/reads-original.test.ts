import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readJson, runCli, runCliJson } from "../helpers/cli.js";
import { command, pipeline, tempRepo } from "../helpers/repo.js";
import {
  originalCommand,
  originalManifest,
  originalRunId,
  originalTime,
  writeOriginalRun,
} from "./original-formats.js";

interface StatusJson {
  run_id: string;
  status: string;
  status_detail: string | null;
  parent_run_id: string | null;
  heartbeat: { stale: boolean };
  child_runs: { run_id: string; task_id: string; status: string }[];
}

interface RunRow {
  run_id: string;
  status: string;
  reason?: string;
  pipeline_id: string | null;
}

interface ManifestJson {
  status: string;
  task_slug: string | null;
  resume_events: { actor: string; reason: string; outcome: string; detail: string | null }[];
  commands: { id: string; status: string }[];
}

const CI_CONFIG = {
  pipelines: [
    pipeline("ci", [
      command("build", "echo built >> build-count.txt"),
      command("test", "test -f fixed.flag"),
    ]),
  ],
};

/** An original run of `ci` that failed at `test` after `build` succeeded, never resumed by us. */
function writeFailedOriginalRun(root: string, minute = 5): { runId: string; manifestPath: string } {
  const runId = originalRunId(minute);
  const manifestPath = writeOriginalRun(
    root,
    originalManifest({
      runId,
      pipelineId: "ci",
      status: "failed",
      statusDetail: "stage:test:failed",
      startedAt: originalTime(minute),
      completedAt: originalTime(minute, 20),
      summary: "Stage 'Stage test' failed with exit code 1.\nGuardrails: spec-guard command not found.",
      commands: [
        originalCommand(1, "build", { status: "succeeded", exit_code: 0, sub_run_id: null }),
        originalCommand(2, "test", { status: "failed", exit_code: 1, sub_run_id: null }),
      ],
    }),
  );
  return { runId, manifestPath };
}

describe("files the original CLI wrote, read by this CLI", () => {
  it("takes the task slug from an original tasks/index.json ({items, specs})", () => {
    const root = tempRepo(CI_CONFIG, {
      "fixed.flag": "",
      "tasks/index.json": JSON.stringify({
        items: [
          {
            id: "0202",
            slug: "orchestrator-hardening",
            title: "Hardening",
            path: "tasks/0202-prd-orchestrator-hardening.md",
            kind: "prd",
            status: "in-progress",
            gate: { phase: "planning", status: "in-progress", log: null, run_id: null },
            created_at: null,
            completed_at: null,
          },
        ],
        specs: [],
      }),
    });

    const started = runCliJson<{ manifest: string }>(root, ["start", "ci", "--task", "0202"]);

    expect(started.status).toBe(0);
    expect(readJson<ManifestJson>(root, started.json.manifest).task_slug).toBe("orchestrator-hardening");
  });

  it("shows the status of an original resumed run, parent run and crashed run without rewriting them", () => {
    const root = tempRepo(CI_CONFIG);
    const child = originalRunId(1, "c41d0000");
    const parent = originalRunId(2, "9a4e0000");
    const resumed = originalRunId(3, "4e5b0000");
    const crashed = originalRunId(4, "c4a50000");
    const files = [
      writeOriginalRun(
        root,
        originalManifest({
          runId: child,
          pipelineId: "checks",
          status: "succeeded",
          parentRunId: parent,
          startedAt: originalTime(1),
          completedAt: originalTime(1, 5),
          commands: [originalCommand(1, "lint", { status: "succeeded", exit_code: 0 })],
        }),
      ),
      writeOriginalRun(
        root,
        originalManifest({
          runId: parent,
          pipelineId: "release",
          status: "succeeded",
          startedAt: originalTime(2),
          completedAt: originalTime(2, 9),
          summary: "Guardrails: spec-guard command not found.",
          commands: [
            originalCommand(1, "checks", {
              kind: "subpipeline",
              command: null,
              status: "succeeded",
              sub_run_id: child,
            }),
          ],
          // The original recorded child runs without their task id.
          childRuns: [
            {
              run_id: child,
              pipeline_id: "checks",
              status: "succeeded",
              manifest: `.runs/0101/cli/${child}/manifest.json`,
            },
          ],
        }),
      ),
      writeOriginalRun(
        root,
        originalManifest({
          runId: resumed,
          pipelineId: "ci",
          status: "in_progress",
          statusDetail: "resuming",
          startedAt: originalTime(3),
          heartbeatAt: originalTime(3, 40),
          // The original's accepted resume events have no detail.
          resumeEvents: [
            { timestamp: originalTime(3, 30), actor: "cli", reason: "manual-resume", outcome: "accepted" },
          ],
          commands: [originalCommand(1, "build", { status: "running", started_at: originalTime(3, 31) })],
        }),
      ),
      writeOriginalRun(
        root,
        originalManifest({
          runId: crashed,
          pipelineId: "ci",
          status: "in_progress",
          startedAt: originalTime(4),
          heartbeatAt: originalTime(4, 5),
          commands: [originalCommand(1, "build", { status: "running", started_at: originalTime(4, 1) })],
        }),
      ),
    ];
    const before = files.map((file) => readFileSync(file, "utf8"));

    const parentStatus = runCliJson<StatusJson>(root, ["status", parent]);
    const resumedStatus = runCliJson<StatusJson>(root, ["status", "--run", resumed]);
    const crashedStatus = runCliJson<StatusJson>(root, ["status", crashed]);
    const childText = runCli(root, ["status", child]);

    expect(parentStatus.status).toBe(0);
    expect(parentStatus.json).toMatchObject({ run_id: parent, status: "succeeded" });
    expect(parentStatus.json.child_runs).toEqual([
      expect.objectContaining({ run_id: child, task_id: "0101", status: "succeeded" }),
    ]);
    expect(resumedStatus.status).toBe(0);
    expect(resumedStatus.json).toMatchObject({ status: "in_progress", status_detail: "resuming" });
    expect(crashedStatus.status).toBe(0);
    expect(crashedStatus.json.status).toBe("in_progress");
    expect(crashedStatus.json.heartbeat.stale).toBe(true);
    expect(childText.status).toBe(0);
    expect(childText.stdout).toContain(parent);
    // Reading never rewrites what the original wrote.
    expect(files.map((file) => readFileSync(file, "utf8"))).toEqual(before);
  });

  it("lists every run, and one it cannot read with the reason", () => {
    const root = tempRepo(CI_CONFIG);
    const good = writeFailedOriginalRun(root, 5);
    const truncated = writeOriginalRun(
      root,
      originalManifest({
        runId: originalRunId(6),
        pipelineId: "ci",
        status: "succeeded",
        startedAt: originalTime(6),
        commands: [],
      }),
    );
    writeFileSync(truncated, readFileSync(truncated, "utf8").slice(0, 80));
    const wrongVersion = writeOriginalRun(root, {
      ...originalManifest({
        runId: originalRunId(7),
        pipelineId: "ci",
        status: "failed",
        startedAt: originalTime(7),
        commands: [],
      }),
      version: 9,
    });
    const wrongBefore = readFileSync(wrongVersion, "utf8");

    const listed = runCliJson<RunRow[]>(root, ["runs"]);
    const text = runCli(root, ["runs"]);
    const onlyUnreadable = runCliJson<RunRow[]>(root, ["runs", "--status", "unreadable"]);

    expect(listed.status).toBe(0);
    expect(listed.json.map((row) => [row.run_id, row.status])).toEqual([
      [originalRunId(7), "unreadable"],
      [originalRunId(6), "unreadable"],
      [good.runId, "failed"],
    ]);
    expect(listed.json[0]?.reason).toContain("version");
    expect(listed.json[1]?.reason).toContain("not readable JSON");
    expect(listed.json[0]?.pipeline_id).toBeNull();
    expect(text.stdout).toMatch(new RegExp(`${originalRunId(6)}.*unreadable.*not readable JSON`));
    expect(onlyUnreadable.json).toHaveLength(2);
    expect(readFileSync(wrongVersion, "utf8")).toBe(wrongBefore);
  });

  it("resumes an original failed run without a plan snapshot from today's config, and says so", () => {
    const root = tempRepo(CI_CONFIG);
    const { runId, manifestPath } = writeFailedOriginalRun(root);
    writeFileSync(path.join(root, "fixed.flag"), "");

    const resumed = runCliJson<{ status: string; manifest: string }>(root, ["resume", runId]);

    expect(resumed.status).toBe(0);
    expect(resumed.json.status).toBe("succeeded");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as ManifestJson;
    expect(manifest.commands.map((entry) => entry.status)).toEqual(["succeeded", "succeeded"]);
    // Only the stage that had failed ran again.
    expect(existsSync(path.join(root, "build-count.txt"))).toBe(false);
    expect(manifest.resume_events).toEqual([
      expect.objectContaining({
        actor: "cli",
        reason: "manual-resume",
        outcome: "accepted",
        detail: expect.stringMatching(
          /resuming at stage test; no pipeline\.json .*planned from today's config/,
        ),
      }),
    ]);
    expect(existsSync(path.join(path.dirname(manifestPath), "pipeline.json"))).toBe(true);
  });

  it("refuses to resume an original run whose pipeline now has other stages, recording who and why", () => {
    const root = tempRepo({ pipelines: [pipeline("ci", [command("only", "true")])] });
    const { runId, manifestPath } = writeFailedOriginalRun(root);

    const refused = runCli(root, ["resume", runId]);

    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("has no pipeline.json");
    expect(refused.stderr.trim().split("\n")[0]).not.toMatch(/\n\s+at /);
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as ManifestJson;
    expect(manifest.status).toBe("failed");
    expect(manifest.resume_events.at(-1)).toMatchObject({
      actor: "cli",
      reason: "manual-resume",
      outcome: "blocked",
    });
    expect(existsSync(path.join(path.dirname(manifestPath), "pipeline.json"))).toBe(false);
  });

  it("records actor and reason on a refused resume (wrong token) with the original defaults", () => {
    const root = tempRepo(CI_CONFIG);
    const { runId, manifestPath } = writeFailedOriginalRun(root);

    const refused = runCli(root, ["resume", runId, "--token", "not-the-token"]);
    const named = runCli(root, [
      "resume",
      runId,
      "--token",
      "still-not",
      "--actor",
      "ana",
      "--reason",
      "retry",
    ]);

    expect(refused.status).toBe(2);
    expect(named.status).toBe(2);
    const events = (JSON.parse(readFileSync(manifestPath, "utf8")) as ManifestJson).resume_events;
    expect(events).toEqual([
      expect.objectContaining({
        actor: "cli",
        reason: "manual-resume",
        outcome: "blocked",
        detail: "resume token mismatch",
      }),
      expect.objectContaining({ actor: "ana", reason: "retry", outcome: "blocked" }),
    ]);
  });
});

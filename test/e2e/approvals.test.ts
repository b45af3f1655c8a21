import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readNdjson, runCli, runCliJson } from "../helpers/cli.js";
import {
  command,
  expectArtifact,
  expectCompleteRunArtifacts,
  pipeline,
  readManifest,
  startJson,
  tempRepo,
  type EventLine,
  expectNoRuns,
} from "./support.js";

const GATE_CONFIG = {
  pipelines: [
    pipeline("gate", [
      command("before", "echo before"),
      {
        kind: "manual",
        id: "review",
        title: "Review the diff",
        instructions: "Read the diff, then approve.",
      },
      command("after", "touch after.txt"),
    ]),
  ],
};

interface StatusJson {
  status: string;
  status_detail: string | null;
  pending_approvals?: string[];
  approvals: { stage_id: string; decision: string }[];
}

describe("manual gates", () => {
  it("pauses (exit 3), shows the pending gate, records an approval with the plan hash, resumes to success", () => {
    const root = tempRepo(GATE_CONFIG);
    const planHash = runCliJson<{ plan_hash: string }>(root, ["plan", "gate"]).json.plan_hash;

    const started = runCli(root, ["start", "gate"]);

    expect(started.status).toBe(3);
    const runId = /^Run started: (\S+)$/m.exec(started.stdout)?.[1] ?? "";
    expect(started.stdout).toContain("Status: awaiting_approval\nDetail: approval:review:pending\n");
    // The exact command to approve is printed.
    expect(started.stdout + started.stderr).toContain(`codex-orchestrator approve ${runId} --stage review`);
    const manifestPath = `.runs/0101/cli/${runId}/manifest.json`;
    const paused = expectCompleteRunArtifacts(root, manifestPath);
    expect(paused).toMatchObject({
      status: "awaiting_approval",
      status_detail: "approval:review:pending",
      approvals: [],
    });
    expect(paused.commands.map((entry) => [entry.id, entry.kind, entry.status])).toEqual([
      ["before", "command", "succeeded"],
      ["review", "manual", "pending"],
      ["after", "command", "pending"],
    ]);
    expect(paused.summary).toMatch(/review.*pending/);
    expect(existsSync(path.join(root, "after.txt"))).toBe(false);

    const statusText = runCli(root, ["status", runId]);
    const statusJson = runCliJson<StatusJson>(root, ["status", "--run", runId]);
    expect(statusText.status).toBe(0);
    expect(statusText.stdout).toContain("approval:review:pending");
    expect(statusText.stdout).toMatch(/Pending approval: review/);
    expect(statusJson.json).toMatchObject({ status: "awaiting_approval", pending_approvals: ["review"] });

    const approved = runCli(root, [
      "approve",
      runId,
      "--stage",
      "review",
      "--actor",
      "alice",
      "--reason",
      "diff read",
    ]);

    expect(approved.status).toBe(0);
    expect(approved.stdout).toContain(`${manifestPath}#approvals[0]`);
    const afterApproval = readManifest(root, manifestPath);
    expect(afterApproval.approvals).toHaveLength(1);
    expect(afterApproval.approvals[0]).toMatchObject({
      stage_id: "review",
      actor: "alice",
      decision: "approved",
      reason: "diff read",
      plan_hash: planHash,
    });
    expect(Date.parse(afterApproval.approvals[0]?.timestamp ?? "")).not.toBeNaN();

    const resumed = runCliJson(root, ["resume", runId, "--actor", "alice"]);

    expect(resumed.status).toBe(0);
    expect(resumed.json).toMatchObject({ run_id: runId, status: "succeeded" });
    const final = expectCompleteRunArtifacts(root, manifestPath);
    expect(final.commands.map((entry) => entry.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(final.approvals).toHaveLength(1);
    expect(existsSync(path.join(root, "after.txt"))).toBe(true);
    // "before" ran once only.
    const starts = readNdjson<EventLine>(root, `.runs/0101/cli/${runId}/runner.ndjson`).filter(
      (event) => event.type === "command:start",
    );
    expect(starts.map((event) => event.index)).toEqual([1, 3]);
    const metrics = readNdjson(root, ".runs/0101/metrics.json");
    expect(metrics.at(-1)).toMatchObject({ run_id: runId, status: "succeeded", approvals: 1 });
  });

  it("approve --format json prints the entry and its citation", () => {
    const root = tempRepo(GATE_CONFIG);
    const started = startJson(root, ["gate"]);
    expect(started.status).toBe(3);

    const approved = runCliJson<{ citation: string; decision: string; index: number }>(root, [
      "approve",
      "--run",
      started.json.run_id,
      "--actor",
      "bob",
    ]);

    expect(approved.status).toBe(0);
    expect(approved.json).toMatchObject({
      decision: "approved",
      index: 0,
      citation: `${started.json.manifest}#approvals[0]`,
    });
  });

  it("a rejected gate fails the run", () => {
    const root = tempRepo(GATE_CONFIG);
    const started = startJson(root, ["gate"]);
    const runId = started.json.run_id;

    const rejected = runCli(root, [
      "approve",
      runId,
      "--stage",
      "review",
      "--actor",
      "carol",
      "--reason",
      "too risky",
      "--reject",
    ]);
    const resumed = runCliJson(root, ["resume", runId]);

    expect(rejected.status).toBe(0);
    expect(rejected.stdout).toContain(`${started.json.manifest}#approvals[0]`);
    expect(resumed.status).toBe(1);
    expect(resumed.json).toMatchObject({ status: "failed" });
    const manifest = expectCompleteRunArtifacts(root, started.json.manifest);
    expect(manifest.status).toBe("failed");
    expect(manifest.status_detail).toBe("approval:review:rejected");
    expect(manifest.approvals).toEqual([
      expect.objectContaining({
        stage_id: "review",
        actor: "carol",
        decision: "rejected",
        reason: "too risky",
      }),
    ]);
    expect(manifest.summary).toMatch(/rejected/);
    expect(existsSync(path.join(root, "after.txt"))).toBe(false);
  });

  it("refuses a decision for a plan hash other than the run's, a non-gate stage, or a run not waiting", () => {
    const root = tempRepo(GATE_CONFIG);
    const started = startJson(root, ["gate"]);
    const runId = started.json.run_id;

    const wrongHash = runCli(root, [
      "approve",
      runId,
      "--stage",
      "review",
      "--actor",
      "x",
      "--plan-hash",
      "sha256:0000",
    ]);
    const notAGate = runCli(root, ["approve", runId, "--stage", "before", "--actor", "x"]);
    const unknownStage = runCli(root, ["approve", runId, "--stage", "nope", "--actor", "x"]);

    for (const refused of [wrongHash, notAGate, unknownStage]) {
      expect(refused.status).toBe(2);
      expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(readManifest(root, started.json.manifest).approvals).toEqual([]);

    const done = startJson(root, ["gate", "--approval-policy", "auto-approve"]);
    const late = runCli(root, ["approve", done.json.run_id, "--stage", "review", "--actor", "x"]);
    expect(late.status).toBe(2);
  });

  it("--approval-policy auto-approve records the decision and runs through", () => {
    const root = tempRepo(GATE_CONFIG);

    const result = startJson(root, ["gate", "--approval-policy", "auto-approve"]);

    expect(result.status).toBe(0);
    const manifest = expectCompleteRunArtifacts(root, result.json.manifest);
    expect(manifest).toMatchObject({ approval_policy: "auto-approve", status: "succeeded" });
    expect(manifest.approvals).toEqual([
      expect.objectContaining({ stage_id: "review", decision: "approved" }),
    ]);
    expect(existsSync(path.join(root, "after.txt"))).toBe(true);
  });

  it("--approval-policy pause stops at the gate; auto-reject fails it", () => {
    const root = tempRepo(GATE_CONFIG);

    const paused = startJson(root, ["gate", "--approval-policy", "pause"]);
    const rejected = startJson(root, ["gate", "--approval-policy", "auto-reject"]);

    expect(paused.status).toBe(3);
    expect(paused.json).toMatchObject({
      status: "awaiting_approval",
      status_detail: "approval:review:pending",
    });
    expectArtifact("start-output", paused.json, "start output");
    expect(readManifest(root, paused.json.manifest).approval_policy).toBe("pause");
    expect(rejected.status).toBe(1);
    expect(rejected.json).toMatchObject({ status: "failed", status_detail: "approval:review:rejected" });
    expect(readManifest(root, rejected.json.manifest).approvals).toEqual([
      expect.objectContaining({ decision: "rejected" }),
    ]);
  });

  it("rejects a malformed approval policy as bad usage", () => {
    const root = tempRepo(GATE_CONFIG);

    const result = runCli(root, ["start", "gate", "--approval-policy", "what ever"]);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Invalid approval policy "what ever"');
    expectNoRuns(root);
  });

  it.each(["whatever", "never", "on-failure"])(
    "records the approval policy %s verbatim and never approves a gate by it",
    (policy) => {
      const root = tempRepo(GATE_CONFIG);

      const paused = startJson(root, ["gate", "--approval-policy", policy]);

      expect(paused.status).toBe(3);
      expect(paused.json).toMatchObject({
        status: "awaiting_approval",
        status_detail: "approval:review:pending",
      });
      const manifest = readManifest(root, paused.json.manifest);
      expect(manifest.approval_policy).toBe(policy);
      expect(manifest.approvals).toEqual([]);
      expect(existsSync(path.join(root, "after.txt"))).toBe(false);
    },
  );
});

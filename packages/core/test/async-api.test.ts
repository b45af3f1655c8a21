import os from "node:os";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../test/helpers/temp-dir.js";
import { ApprovalError, resolveActor, type CodexOrchestrator } from "../src/index.js";
import { commandStage, configJson, createOrchestrator } from "./support.js";

const GATES = {
  pipelines: [
    {
      id: "one-gate",
      title: "One gate",
      stages: [commandStage("before", "true"), { kind: "manual", id: "sign-off", title: "Sign off" }],
    },
  ],
};

function repository(): { orchestrator: CodexOrchestrator; root: string } {
  const root = tempDir();
  writeFiles(root, { "codex.orchestrator.json": configJson(GATES) });
  return { orchestrator: createOrchestrator(root), root };
}

describe("the programmatic API", () => {
  it("is async throughout: approve, status, listRuns, latestRun and findRun return promises", async () => {
    const { orchestrator } = repository();
    const paused = await orchestrator.start("one-gate", { approvalPolicy: "pause" });

    const status = orchestrator.status(paused.runId);
    const runs = orchestrator.listRuns();
    const approval = orchestrator.approve(paused.runId, { actor: "ana" });

    expect(orchestrator.latestRun()).toBeInstanceOf(Promise);
    expect((await orchestrator.findRun(paused.runId)).runId).toBe(paused.runId);
    expect(status).toBeInstanceOf(Promise);
    expect(runs).toBeInstanceOf(Promise);
    expect(approval).toBeInstanceOf(Promise);
    expect((await status).pending_approvals).toEqual(["sign-off"]);
    expect((await runs).map((run) => run.run_id)).toEqual([paused.runId]);
    expect((await approval).approval).toMatchObject({ stage_id: "sign-off", actor: "ana" });
  });

  it("approves the one gate that is waiting when no stage is named, as the CLI does", async () => {
    const { orchestrator } = repository();
    const paused = await orchestrator.start("one-gate", { approvalPolicy: "pause" });

    const recorded = await orchestrator.approve(paused.runId);

    expect(recorded.approval).toMatchObject({ stage_id: "sign-off", decision: "approved" });
    expect(recorded.approval.actor).toBe(resolveActor());
    expect((await orchestrator.resume(paused.runId)).status).toBe("succeeded");
  });

  it("asks for the `stageId` option, never a flag, when no gate is waiting", async () => {
    const { orchestrator } = repository();
    const one = await orchestrator.start("one-gate", { approvalPolicy: "pause" });
    await orchestrator.approve(one.runId, { actor: "ana" });
    await orchestrator.resume(one.runId);
    const none = orchestrator.approve(one.runId, { actor: "ana" });
    await expect(none).rejects.toThrow(ApprovalError);
    await expect(none).rejects.toThrow(/has no gate waiting; name the gate with the `stageId` option/);
    await expect(orchestrator.approve(one.runId, { actor: "ana" })).rejects.not.toThrow(/--/);
    await expect(orchestrator.status("../escape")).rejects.toThrow(/from the `runId` argument/);
    await expect(orchestrator.start("one-gate", { taskId: "../x" })).rejects.not.toThrow(/--task/);
  });
});

describe("resolveActor", () => {
  it("takes the explicit actor, else the operating system's user name, whatever USER says", () => {
    expect(resolveActor(" ana ", {})).toBe("ana");
    expect(resolveActor(undefined, {})).toBe(os.userInfo().username);
    expect(resolveActor("", { USER: "someone-else" })).toBe(os.userInfo().username);
    expect(resolveActor(undefined, { USER: "someone-else" })).not.toBe("terminal");
  });
});

import { OrchestratorError } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { APPROVAL_POLICIES, createApprovalPolicy, type ApprovalPrompt } from "./approval-policy.js";

const request = { runId: "run", stageId: "gate", title: "Gate", instructions: null, planHash: "sha256:x" };

describe("createApprovalPolicy", () => {
  it("knows the four policies", () => {
    expect(APPROVAL_POLICIES).toEqual(["prompt", "pause", "auto-approve", "auto-reject"]);
  });

  it("refuses an unknown policy as a usage error listing the known ones", () => {
    let caught: unknown;
    try {
      createApprovalPolicy("yolo");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OrchestratorError);
    expect(caught).toMatchObject({ code: "ERR_APPROVAL_POLICY", usage: true });
    expect((caught as Error).message).toContain("prompt, pause, auto-approve, auto-reject");
  });

  it("prompt asks the prompt when there is one and pauses without one", async () => {
    const policy = createApprovalPolicy("prompt");
    expect(await policy.decide({ ...request, prompt: undefined })).toBeNull();
    const asked: string[] = [];
    const prompt: ApprovalPrompt = async (question) => {
      asked.push(question.stageId);
      return { decision: "approved", actor: "alice", reason: "looks fine" };
    };
    expect(await policy.decide({ ...request, prompt })).toEqual({
      decision: "approved",
      actor: "alice",
      reason: "looks fine",
    });
    expect(asked).toEqual(["gate"]);
    expect(await policy.decide({ ...request, prompt: async () => null })).toBeNull();
  });

  it("pause never decides, even with a prompt", async () => {
    const prompt: ApprovalPrompt = async () => ({ decision: "approved", actor: "alice", reason: null });
    expect(await createApprovalPolicy("pause").decide({ ...request, prompt })).toBeNull();
  });

  it("auto-approve and auto-reject decide at once under a policy actor", async () => {
    expect(
      await createApprovalPolicy("auto-approve").decide({ ...request, prompt: undefined }),
    ).toMatchObject({
      decision: "approved",
      actor: "policy:auto-approve",
    });
    expect(await createApprovalPolicy("auto-reject").decide({ ...request, prompt: undefined })).toMatchObject(
      {
        decision: "rejected",
        actor: "policy:auto-reject",
      },
    );
  });
});

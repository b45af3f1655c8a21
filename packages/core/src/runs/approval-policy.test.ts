import { OrchestratorError } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import {
  APPROVAL_POLICIES,
  createApprovalPolicy,
  oneAtATime,
  ORIGINAL_APPROVAL_POLICIES,
  type ApprovalPrompt,
} from "./approval-policy.js";

const request = { runId: "run", stageId: "gate", title: "Gate", instructions: null, planHash: "sha256:x" };

describe("createApprovalPolicy", () => {
  it("knows the four policies", () => {
    expect(APPROVAL_POLICIES).toEqual(["prompt", "pause", "auto-approve", "auto-reject"]);
  });

  it("refuses a malformed policy as a usage error listing the known ones", () => {
    for (const malformed of ["", "on request", "../x", "-x", "x".repeat(65)]) {
      let caught: unknown;
      try {
        createApprovalPolicy(malformed);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(OrchestratorError);
      expect(caught).toMatchObject({ code: "ERR_APPROVAL_POLICY", usage: true });
      expect((caught as Error).message).toContain(
        "prompt, pause, auto-approve, auto-reject, never, on-request",
      );
    }
  });

  it("accepts the original CLI's values and unknown well-formed ones, keeping the name verbatim", async () => {
    const prompt: ApprovalPrompt = async () => ({ decision: "approved", actor: "alice", reason: null });
    for (const name of ORIGINAL_APPROVAL_POLICIES) expect(createApprovalPolicy(name).name).toBe(name);
    expect(createApprovalPolicy("never").behaviour).toBe("pause");
    expect(await createApprovalPolicy("never").decide({ ...request, prompt })).toBeNull();
    for (const name of ["on-request", "on-failure", "untrusted"]) {
      expect(createApprovalPolicy(name).behaviour).toBe("prompt");
      expect(await createApprovalPolicy(name).decide({ ...request, prompt: undefined })).toBeNull();
    }
    // An unknown value pauses even where a prompt could have asked: it never decides by itself.
    const unknown = createApprovalPolicy("auto-approve-everything");
    expect(unknown).toMatchObject({ name: "auto-approve-everything", behaviour: "pause" });
    expect(await unknown.decide({ ...request, prompt })).toBeNull();
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

describe("oneAtATime", () => {
  it("asks the next question only once the previous one was answered, even when one fails", async () => {
    const log: string[] = [];
    const slow: ApprovalPrompt = async (request) => {
      log.push(`ask ${request.stageId}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push(`answer ${request.stageId}`);
      if (request.stageId === "b") throw new Error("terminal closed");
      return { decision: "approved", actor: "t", reason: null };
    };
    const prompt = oneAtATime(slow);
    const request = (stageId: string) => ({
      runId: "r",
      stageId,
      title: stageId,
      instructions: null,
      planHash: "h",
    });
    const answers = await Promise.allSettled([
      prompt(request("a")),
      prompt(request("b")),
      prompt(request("c")),
    ]);
    expect(log).toEqual(["ask a", "answer a", "ask b", "answer b", "ask c", "answer c"]);
    expect(answers.map((answer) => answer.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });
});

import { APPROVAL_POLICIES, ORIGINAL_APPROVAL_POLICIES } from "@codex/orchestrator-core";
import { describe, expect, it } from "vitest";
import { APPROVAL_POLICY_CHOICES } from "./approval-policies.js";

describe("APPROVAL_POLICY_CHOICES", () => {
  it("lists exactly the approval policies the engine knows by name, ours then the original CLI's", () => {
    expect([...APPROVAL_POLICY_CHOICES]).toEqual([...APPROVAL_POLICIES, ...ORIGINAL_APPROVAL_POLICIES]);
  });
});

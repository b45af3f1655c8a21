import {
  APPROVAL_POLICIES,
  APPROVAL_POLICY_PATTERN as ENGINE_APPROVAL_POLICY_PATTERN,
  ORIGINAL_APPROVAL_POLICIES,
} from "@codex/orchestrator-core";
import { describe, expect, it } from "vitest";
import { APPROVAL_POLICY_CHOICES, APPROVAL_POLICY_PATTERN } from "./approval-policies.js";
import { parseFastCommand } from "./fast-path.js";

describe("parseFastCommand", () => {
  it("recognises the plain forms of plan", () => {
    expect(parseFastCommand(["plan"])).toEqual({ command: "plan", argv: { format: "text" } });
    expect(parseFastCommand(["plan", "diagnostics", "--task", "0101", "--format=json"])).toEqual({
      command: "plan",
      argv: { pipeline: "diagnostics", task: "0101", format: "json" },
    });
  });

  it("recognises the plain forms of start, with its lineage and approval flags", () => {
    expect(parseFastCommand(["start"])).toEqual({ command: "start", argv: { format: "text" } });
    expect(
      parseFastCommand([
        "start",
        "ci",
        "--format",
        "json",
        "--task=0102",
        "--parent-run",
        "2026-01-01T00-00-00-000Z-abcdef12",
        "--approval-policy",
        "auto-approve",
      ]),
    ).toEqual({
      command: "start",
      argv: {
        pipeline: "ci",
        task: "0102",
        format: "json",
        parentRun: "2026-01-01T00-00-00-000Z-abcdef12",
        approvalPolicy: "auto-approve",
      },
    });
  });

  it("accepts the approval policies the engine knows, and any well-formed one, as the engine does", () => {
    expect([...APPROVAL_POLICY_CHOICES]).toEqual([...APPROVAL_POLICIES, ...ORIGINAL_APPROVAL_POLICIES]);
    expect(APPROVAL_POLICY_PATTERN.source).toBe(ENGINE_APPROVAL_POLICY_PATTERN.source);
    for (const policy of [...APPROVAL_POLICY_CHOICES, "sometimes"]) {
      expect(parseFastCommand(["start", "--approval-policy", policy])?.argv).toMatchObject({
        approvalPolicy: policy,
      });
    }
  });

  it.each([
    [["start", "--help"]],
    [["start", "-h"]],
    [["start", "--taks", "x"]],
    [["start", "--task", "a", "--task", "b"]],
    [["start", "--task="]],
    [["start", "--task"]],
    [["start", "--format", "yaml"]],
    [["start", "--approval-policy", "some times"]],
    [["start", "a", "b"]],
    [["start", "--", "a"]],
    [["plan", "--parent-run", "x"]],
    [["plan", "--approval-policy", "pause"]],
    [["resume"]],
    [["status", "--format", "json"]],
    [[]],
  ])("leaves %j to the full parser, which owns every message", (args) => {
    expect(parseFastCommand(args)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { EXIT_CODES, exitCodeForRun } from "./exit-codes.js";

describe("exitCodeForRun", () => {
  it("maps run outcomes to the docs/contract.md §1 exit codes", () => {
    expect(EXIT_CODES).toEqual({
      succeeded: 0,
      failed: 1,
      usage: 2,
      awaitingApproval: 3,
      sighup: 129,
      sigint: 130,
      sigterm: 143,
    });
    expect(exitCodeForRun("succeeded", null)).toBe(0);
    expect(exitCodeForRun("failed", "stage:build:failed")).toBe(1);
    expect(exitCodeForRun("awaiting_approval", "approval:gate:pending")).toBe(3);
    expect(exitCodeForRun("cancelled", "signal:SIGINT")).toBe(130);
    expect(exitCodeForRun("cancelled", "signal:SIGTERM")).toBe(143);
    expect(exitCodeForRun("cancelled", "signal:SIGHUP")).toBe(129);
    expect(exitCodeForRun("cancelled", null)).toBe(1);
    // A run that never finished (crashed owner) is not a success.
    expect(exitCodeForRun("in_progress", null)).toBe(1);
    expect(exitCodeForRun("queued", null)).toBe(1);
  });
});

import { RunStatus } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { RUNS_STATUS_CHOICES } from "./reading-commands.js";

describe("runs --status", () => {
  it("offers every run status of the schema, and unreadable", () => {
    expect([...RUNS_STATUS_CHOICES].sort()).toEqual([...RunStatus.options, "unreadable"].sort());
  });
});

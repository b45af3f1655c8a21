import { describe, expect, it } from "vitest";
import { RunEvent } from "./events.js";

const timestamp = "2025-10-31T22:56:34.431Z";

describe("RunEvent", () => {
  it("picks the variant by type", () => {
    const event = RunEvent.parse({
      type: "command:end",
      exit_code: null,
      signal: "SIGTERM",
      timestamp,
      index: 2,
    });
    expect(event.type).toBe("command:end");
    if (event.type !== "command:end") throw new Error("narrowing failed");
    expect(event.signal).toBe("SIGTERM");
  });

  it("checks the fields of the chosen variant", () => {
    const result = RunEvent.safeParse({ type: "command:stdout", timestamp, index: 1 });
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["data"]);
  });

  it("allows index null for run-level events only", () => {
    expect(
      RunEvent.safeParse({
        type: "run:end",
        status: "failed",
        status_detail: "stage:lint:failed",
        timestamp,
        index: null,
      }).success,
    ).toBe(true);
    expect(
      RunEvent.safeParse({ type: "command:start", command: "npm test", timestamp, index: null }).success,
    ).toBe(false);
  });

  it("rejects an unknown type at the discriminator", () => {
    const result = RunEvent.safeParse({ type: "command:exit", timestamp, index: 1 });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([["type"]]);
  });

  it("keeps extra fields", () => {
    const event = RunEvent.parse({ type: "command:stderr", data: "warn\n", timestamp, index: 3, pid: 4242 });
    expect(event).toMatchObject({ pid: 4242 });
  });
});

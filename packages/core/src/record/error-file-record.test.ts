import { describe, expect, it } from "vitest";
import {
  buildErrorFile,
  ORIGINAL_DETAIL_CHARACTERS,
  type BuildErrorFileOptions,
} from "./error-file-record.js";

function options(overrides: Partial<BuildErrorFileOptions> = {}): BuildErrorFileOptions {
  return {
    runId: "2025-10-31T22-56-34-431Z-9574035c",
    taskId: "0101",
    stage: { kind: "command", id: "test", title: "Test", command: "npm test" },
    index: 3,
    cwd: ".",
    entry: {
      started_at: "2025-10-31T22:56:35.000Z",
      completed_at: "2025-10-31T22:56:36.000Z",
      log_path: "commands/03-test.ndjson",
    },
    outcome: { exitCode: 1, signal: null, reason: "exit", error: null },
    attempts: [],
    stdoutTail: { text: "out\n", truncated: false },
    stderrTail: { text: "boom\n", truncated: false },
    tailLines: ["out", "boom"],
    tailLimitCharacters: 4096,
    now: new Date("2025-10-31T22:56:36.500Z"),
    ...overrides,
  };
}

describe("buildErrorFile", () => {
  it("has the original CLI's keys beside ours", () => {
    const file = buildErrorFile(options());
    expect(file).toMatchObject({
      run_id: "2025-10-31T22-56-34-431Z-9574035c",
      task_id: "0101",
      command_index: 3,
      command_id: "test",
      command: "npm test",
      reason: "command-failed",
      details: { exit_code: 1, stderr: "boom" },
      created_at: "2025-10-31T22:56:36.500Z",
      stage_id: "test",
      index: 3,
      exit_reason: "exit",
      stderr_tail: "boom\n",
      tail_lines: ["out", "boom"],
    });
    expect(file.details).not.toHaveProperty("stderr_truncated");
    expect(file.details).not.toHaveProperty("stdout_truncated");
  });

  it("caps details.stderr at 8 KiB with … and flags dropped output as the original did", () => {
    const long = "e".repeat(ORIGINAL_DETAIL_CHARACTERS + 10);
    const file = buildErrorFile(
      options({
        stderrTail: { text: long, truncated: false },
        stdoutTail: { text: "", truncated: true },
      }),
    );
    const details = file.details as Record<string, unknown>;
    expect(details.stderr).toBe(`${"e".repeat(ORIGINAL_DETAIL_CHARACTERS)}…`);
    expect(details.stderr_truncated).toBe(true);
    expect(details.stdout_truncated).toBe(true);
    const dropped = buildErrorFile(options({ stderrTail: { text: "tail", truncated: true } }));
    expect(dropped.details).toMatchObject({ stderr: "tail", stderr_truncated: true });
  });

  it("records a killed command with a null exit code, its signal and exit_reason signal", () => {
    const file = buildErrorFile(
      options({ outcome: { exitCode: null, signal: "SIGTERM", reason: "cancelled", error: null } }),
    );
    expect(file).toMatchObject({
      reason: "command-failed",
      exit_reason: "signal",
      details: { exit_code: null, signal: "SIGTERM" },
    });
  });
});

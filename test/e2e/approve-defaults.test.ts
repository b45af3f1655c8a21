import os from "node:os";
import { describe, expect, it } from "vitest";
import { configJson, readJson, runCli, runCliJson } from "../helpers/cli.js";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";

describe("approve without --stage or --actor", () => {
  it("approves the waiting gate as the operating system user, even with USER and LOGNAME unset", () => {
    const root = tempDir();
    writeFiles(root, {
      "codex.orchestrator.json": configJson({
        pipelines: [
          {
            id: "gated",
            title: "Gated",
            stages: [
              { kind: "command", id: "before", title: "Before", command: "true" },
              { kind: "manual", id: "sign-off", title: "Sign off" },
            ],
          },
        ],
      }),
    });
    const paused = runCliJson<{ run_id: string; manifest: string }>(root, [
      "start",
      "gated",
      "--approval-policy",
      "pause",
    ]);
    const noUser = { USER: "", LOGNAME: "", USERNAME: "" };

    const approved = runCliJson<{ stage_id: string; actor: string }>(root, ["approve", paused.json.run_id], {
      env: noUser,
    });

    expect(approved.status).toBe(0);
    expect(approved.json).toMatchObject({ stage_id: "sign-off", actor: os.userInfo().username });
    const manifest = readJson<{ approvals: { actor: string }[] }>(root, paused.json.manifest);
    expect(manifest.approvals.map((approval) => approval.actor)).toEqual([os.userInfo().username]);

    runCli(root, ["resume", paused.json.run_id]);
    const none = runCli(root, ["approve", paused.json.run_id]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("has no gate waiting; name one with --stage <id>");
    expect(none.stderr).not.toContain("`stageId`");
  });

  it("names flags, not library options, in command-line errors", () => {
    const root = tempDir();
    const bad = runCli(root, ["start", "--task", "../x"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Invalid task id "../x" from --task');
    const badRun = runCli(root, ["status", "--run", "../x"]);
    expect(badRun.stderr).toContain("from --run");
    expect(badRun.stderr).not.toContain("`runId`");
  });
});

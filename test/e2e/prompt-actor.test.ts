import { spawn } from "node:child_process";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { CLI_BIN, cliEnvironment, configJson, readJson } from "../helpers/cli.js";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";

/** Runs `start` on a pseudo-terminal (util-linux `script`), answering the gate's questions as they come. */
function startOnTerminal(
  root: string,
  answers: Array<[prompt: string, reply: string]>,
  env: NodeJS.ProcessEnv,
) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn("script", ["-qec", `'${process.execPath}' '${CLI_BIN}' start gated`, "/dev/null"], {
      cwd: root,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    const pending = [...answers];
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const next = pending[0];
      if (next !== undefined && output.includes(next[0])) {
        pending.shift();
        child.stdin.write(`${next[1]}\r`);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      child.stdin.end();
      resolve({ code, output });
    });
  });
}

describe("the approval prompt at a gate", () => {
  it("records the operating system user, as approve does, when USER and LOGNAME are unset", async () => {
    const root = tempDir();
    writeFiles(root, {
      "codex.orchestrator.json": configJson({
        pipelines: [{ id: "gated", title: "Gated", stages: [{ kind: "manual", id: "gate", title: "Gate" }] }],
      }),
    });
    const env = cliEnvironment(root);
    delete env.USER;
    delete env.LOGNAME;
    delete env.USERNAME;

    const result = await startOnTerminal(
      root,
      [
        ['Approve gate "Gate"', "y"],
        ["Reason (optional)", "looked fine"],
      ],
      env,
    );

    expect(result.code).toBe(0);
    expect(result.output).toContain("Status: succeeded");
    const manifestPath = /Manifest: (\S+)/.exec(result.output)?.[1] ?? "";
    const manifest = readJson<{ approvals: { actor: string; reason: string }[] }>(root, manifestPath);
    expect(manifest.approvals).toMatchObject([{ actor: os.userInfo().username, reason: "looked fine" }]);
    expect(manifest.approvals[0]?.actor).not.toBe("terminal");
  });
});

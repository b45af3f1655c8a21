import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { CLI_BIN, cliEnvironment } from "../helpers/cli.js";
import { collect, command, pipeline, stackLines, tempRepo } from "./support.js";

// Prints while it runs (progress on stderr, output lines), then outlives the reader of the pipe.
const CONFIG = {
  pipelines: [
    pipeline("chatty", [
      command("talk", "for i in 1 2 3 4 5; do echo line $i; done"),
      command("linger", "sleep 1; echo done > linger.txt"),
    ]),
  ],
};

/**
 * Runs the built CLI inside `bash -c` with its output piped to `reader`; the shell exits with the
 * orchestrator's own exit status (PIPESTATUS[0]), which is what the test checks.
 */
async function startPipedTo(root: string, redirect: string, reader: string, args: string[]) {
  const script = `"$0" "$@" ${redirect} | ${reader}; exit "\${PIPESTATUS[0]}"`;
  const child = spawn("bash", ["-c", script, process.execPath, CLI_BIN, ...args], {
    cwd: root,
    env: cliEnvironment(root),
    stdio: ["ignore", "pipe", "pipe"],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return collect(child);
}

function onlyManifest(root: string): { status: string; completed_at: string | null } {
  const runsDir = path.join(root, ".runs", "0101", "cli");
  const [runId] = readdirSync(runsDir);
  return JSON.parse(readFileSync(path.join(runsDir, runId!, "manifest.json"), "utf8")) as {
    status: string;
    completed_at: string | null;
  };
}

describe("a closed stdout or stderr never changes a run", () => {
  it("start 2>&1 | head -c 1: the run finishes, its last stage ran, exit 0", async () => {
    const root = tempRepo(CONFIG);
    const result = await startPipedTo(root, "2>&1", "head -c 1", ["start", "chatty"]);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.length).toBeLessThanOrEqual(1);
    expect(existsSync(path.join(root, "linger.txt"))).toBe(true);
    const manifest = onlyManifest(root);
    expect(manifest.status).toBe("succeeded");
    expect(manifest.completed_at).not.toBeNull();
  });

  it("start --format json | true: no stack trace, exit 0 after a successful run", async () => {
    const root = tempRepo(CONFIG);
    const result = await startPipedTo(root, "", "true", ["start", "chatty", "--format", "json"]);

    expect(result.status, result.stderr).toBe(0);
    expect(stackLines(result.stderr)).toEqual([]);
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
    expect(onlyManifest(root).status).toBe("succeeded");
  });

  it("a failed run keeps its exit 1 when nobody reads its output", async () => {
    const root = tempRepo({ pipelines: [pipeline("fails", [command("bad", "sleep 0.5; exit 1")])] });
    const result = await startPipedTo(root, "2>&1", "head -c 1", ["start", "fails"]);

    expect(result.status, result.stderr).toBe(1);
    expect(onlyManifest(root).status).toBe("failed");
  });
});

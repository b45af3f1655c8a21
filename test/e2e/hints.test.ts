import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli, runCliJson, spawnCli, type CliResult } from "../helpers/cli.js";
import { command, pipeline, readManifest, tempRepo } from "./support.js";

// Every hint is followed exactly as printed: the command after `codex-orchestrator`, split on spaces.
const ENV = { USER: "tester" };

function hintedCommand(text: string, label: string): string[] {
  const line = text.split("\n").find((candidate) => candidate.includes(label));
  const printed = line === undefined ? undefined : /codex-orchestrator (.+)$/.exec(line)?.[1];
  if (printed === undefined) throw new Error(`no line with "${label}" and a command in:\n${text}`);
  return printed.trim().split(" ");
}

function follow(root: string, output: string, label: string): CliResult {
  return runCli(root, hintedCommand(output, label), { env: ENV });
}

const runIdOf = (result: CliResult) => /^Run (?:started|resumed): (\S+)$/m.exec(result.stdout)?.[1] ?? "";

const GATE = {
  kind: "manual",
  id: "review",
  title: "Review",
  instructions: "Approve when ready.",
} as const;

const CONFIG = {
  pipelines: [
    pipeline("gate", [command("before", "echo before"), GATE, command("after", "touch after.txt")]),
    pipeline("inner", [GATE, command("inner-after", "touch inner.txt")]),
    pipeline("outer", [
      { kind: "subpipeline", id: "kid", title: "Kid", pipeline: "inner" },
      command("outer-after", "touch outer.txt"),
    ]),
    pipeline("slow", [
      // Until fixed.marker exists: record the shell's pid, then become `sleep 30`.
      command("wait", "if [ -f fixed.marker ]; then echo done; else echo $$ > sleep.pid; exec sleep 30; fi"),
    ]),
  ],
};

describe("hints that work when followed", () => {
  it("after a rejected gate: approve it after all, then resume, as the closing lines say", () => {
    const root = tempRepo(CONFIG);
    const started = runCli(root, ["start", "gate", "--approval-policy", "auto-reject"], { env: ENV });
    expect(started.status).toBe(1);
    const runId = runIdOf(started);
    expect(started.stderr).toContain(
      `Gate review was rejected. To approve it after all: codex-orchestrator approve ${runId} --stage review`,
    );
    // The old hint, a bare resume, replays the rejection: it is not printed.
    expect(started.stderr).not.toContain("Resume with:");

    const approved = follow(root, started.stderr, "To approve it after all");
    expect(approved.status).toBe(0);
    const resumed = follow(root, started.stderr, "Then continue with");
    expect(resumed.status).toBe(0);
    expect(readManifest(root, `.runs/0101/cli/${runId}/manifest.json`).status).toBe("succeeded");
    expect(existsSync(path.join(root, "after.txt"))).toBe(true);
  });

  it("after `approve --reject`: status and approve say how to continue, and approve needs no --stage", () => {
    const root = tempRepo(CONFIG);
    const started = runCli(root, ["start", "gate", "--approval-policy", "pause"], { env: ENV });
    expect(started.status).toBe(3);
    const runId = runIdOf(started);
    const rejected = runCli(root, ["approve", runId, "--reject", "--reason", "not yet"], { env: ENV });
    expect(rejected.status).toBe(0);
    expect(rejected.stdout).toContain(`Run ${runId} is failed: rejected at this gate.`);

    const status = runCli(root, ["status", runId]);
    expect(status.stdout).toContain(`Gate review was rejected. To approve it after all:`);
    // Without --stage, approve takes the rejected gate.
    expect(runCli(root, ["approve", runId], { env: ENV }).status).toBe(0);
    const resumed = follow(root, status.stdout, "Then continue with");
    expect(resumed.status).toBe(0);
    expect(existsSync(path.join(root, "after.txt"))).toBe(true);
  });

  it("a gate inside a child run: the parent shows it, and approve + resume of the parent continue both", () => {
    const root = tempRepo(CONFIG);
    const started = runCli(root, ["start", "outer", "--approval-policy", "pause"], { env: ENV });
    expect(started.status).toBe(3);
    const parentId = runIdOf(started);
    const parent = readManifest(root, `.runs/0101/cli/${parentId}/manifest.json`);
    const childId = parent.commands[0]?.sub_run_id ?? "";
    expect(childId).not.toBe("");
    expect(started.stderr).toContain(
      `Gate review of child run ${childId} (stage kid) is waiting for approval. Approve with: codex-orchestrator approve ${childId} --stage review`,
    );
    expect(started.stderr).toContain(`Then continue both with: codex-orchestrator resume ${parentId}`);

    const status = runCli(root, ["status", parentId]);
    expect(status.stdout).toContain(`Pending approval: review (in child run ${childId})`);
    const statusJson = runCliJson<{ waiting_gate: unknown }>(root, ["status", parentId]);
    expect(statusJson.json.waiting_gate).toEqual({
      run_id: childId,
      stage_id: "review",
      decision: "pending",
      via: ["kid"],
    });
    // Approving the parent names the child's gate instead of guessing.
    const wrong = runCli(root, ["approve", parentId], { env: ENV });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain(`codex-orchestrator approve ${childId} --stage review`);

    const approved = follow(root, status.stdout, "Approve with");
    expect(approved.status).toBe(0);
    // approve points at the parent: resuming it continues the child too.
    expect(approved.stdout).toContain(`Continue with: codex-orchestrator resume ${parentId}`);
    const resumed = follow(root, status.stdout, "Then continue both with");
    expect(resumed.status).toBe(0);
    expect(readManifest(root, `.runs/0101/cli/${parentId}/manifest.json`).status).toBe("succeeded");
    expect(readManifest(root, `.runs/0101/cli/${childId}/manifest.json`).status).toBe("succeeded");
    expect(existsSync(path.join(root, "inner.txt"))).toBe(true);
    expect(existsSync(path.join(root, "outer.txt"))).toBe(true);
  });

  it("a child continued on its own: the parent's status says to resume the parent, and that works", () => {
    const root = tempRepo(CONFIG);
    const started = runCli(root, ["start", "outer", "--approval-policy", "pause"], { env: ENV });
    const parentId = runIdOf(started);
    const childId =
      readManifest(root, `.runs/0101/cli/${parentId}/manifest.json`).commands[0]?.sub_run_id ?? "";
    expect(runCli(root, ["approve", childId], { env: ENV }).status).toBe(0);
    expect(runCli(root, ["resume", childId], { env: ENV }).status).toBe(0);

    const status = runCli(root, ["status", parentId]);
    expect(status.stdout).toContain(`Continue with: codex-orchestrator resume ${parentId}`);
    expect(follow(root, status.stdout, "Continue with").status).toBe(0);
    expect(existsSync(path.join(root, "outer.txt"))).toBe(true);
  });

  it("a stale run whose owner is gone: status says resume, and resume finishes it", async () => {
    const root = tempRepo(CONFIG);
    const orchestrator = spawnCli(root, ["start", "slow"]);
    const exited = once(orchestrator, "exit");
    const pidFile = path.join(root, "sleep.pid");
    onTestFinished(() => {
      if (orchestrator.exitCode === null && orchestrator.signalCode === null) orchestrator.kill("SIGKILL");
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    });
    const deadline = Date.now() + 60_000;
    while (!(existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"))) {
      if (Date.now() > deadline) throw new Error("the slow stage did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const runId = runCliJson<{ run_id: string }[]>(root, ["runs"]).json[0]?.run_id ?? "";
    orchestrator.kill("SIGKILL");
    await exited;

    const status = runCli(root, ["status", runId]);
    expect(status.stdout).toContain(
      `Its owner process is gone. Continue it with: codex-orchestrator resume ${runId}`,
    );
    // Resuming stops what the dead owner left running (the sleep), then runs the stage again.
    writeFileSync(path.join(root, "fixed.marker"), "");
    const resumed = follow(root, status.stdout, "Continue it with");
    expect(resumed.status).toBe(0);
    expect(readManifest(root, `.runs/0101/cli/${runId}/manifest.json`).status).toBe("succeeded");
  });

  it("a hung owner (alive, heartbeat stale): status says resume --force, and that takes the run over", async () => {
    const root = tempRepo(CONFIG);
    const orchestrator = spawnCli(root, ["start", "slow"]);
    const exited = once(orchestrator, "exit");
    const pidFile = path.join(root, "sleep.pid");
    onTestFinished(() => {
      if (orchestrator.exitCode === null && orchestrator.signalCode === null) orchestrator.kill("SIGKILL");
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    });
    const deadline = Date.now() + 60_000;
    while (!(existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"))) {
      if (Date.now() > deadline) throw new Error("the slow stage did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const runId = runCliJson<{ run_id: string }[]>(root, ["runs"]).json[0]?.run_id ?? "";
    // Hung: the owner stops beating; its last beat is made older than the 30 s a beat stays fresh.
    orchestrator.kill("SIGSTOP");
    writeFileSync(
      path.join(root, ".runs", "0101", "cli", runId, ".heartbeat"),
      `${new Date(Date.now() - 120_000).toISOString()}\n`,
    );

    const status = runCli(root, ["status", runId]);
    expect(status.stdout).toContain(
      `Its heartbeat is stale. If its owner hangs, take over with: codex-orchestrator resume ${runId} --force`,
    );
    writeFileSync(path.join(root, "fixed.marker"), "");
    const resumed = follow(root, status.stdout, "take over with");
    expect(resumed.status).toBe(0);
    expect(readManifest(root, `.runs/0101/cli/${runId}/manifest.json`).status).toBe("succeeded");
    orchestrator.kill("SIGKILL");
    await exited;
  });
});

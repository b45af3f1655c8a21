import { once } from "node:events";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli, runCliJson, spawnCli } from "../helpers/cli.js";
import { command, pipeline, readManifest, tempRepo } from "./support.js";

interface RunRow {
  run_id: string;
  parent_run_id: string | null;
  status: string;
  duration_seconds: number | null;
  busy_seconds: number | null;
  paused_seconds: number | null;
}

const ENV = { USER: "tester" };

const CONFIG = {
  pipelines: [
    pipeline("inner", [{ kind: "manual", id: "review", title: "Review" }, command("inner-after", "true")]),
    pipeline("outer", [
      { kind: "subpipeline", id: "kid", title: "Kid", pipeline: "inner" },
      command("outer-after", "true"),
    ]),
    pipeline("inner-slow", [command("nap", "sleep 2")]),
    // The child succeeds; the parent goes on for a second, then fails.
    pipeline("outer-slow", [
      { kind: "subpipeline", id: "kid", title: "Kid", pipeline: "inner-slow" },
      command("tail", "sleep 1; exit 1"),
    ]),
  ],
};

describe("the right run: top-level by default, children under their parent", () => {
  it("runs and status --latest pass over child runs unless --all; busy time leaves out the pause", async () => {
    const root = tempRepo(CONFIG);
    const started = runCliJson<{ run_id: string }>(root, ["start", "outer", "--approval-policy", "pause"]);
    expect(started.status).toBe(3);
    const parentId = started.json.run_id;
    const childId =
      readManifest(root, `.runs/0101/cli/${parentId}/manifest.json`).commands[0]?.sub_run_id ?? "";
    // Paused at the gate for a while before anyone approves.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(runCli(root, ["approve", childId], { env: ENV }).status).toBe(0);
    expect(runCli(root, ["resume", parentId], { env: ENV }).status).toBe(0);

    const topLevel = runCliJson<RunRow[]>(root, ["runs"]).json;
    expect(topLevel.map((row) => row.run_id)).toEqual([parentId]);
    const parent = topLevel[0] as RunRow;
    expect(parent.paused_seconds).toBeGreaterThanOrEqual(1.4);
    expect(parent.busy_seconds).toBeLessThan((parent.duration_seconds ?? 0) - 1.4);
    expect((parent.busy_seconds ?? 0) + (parent.paused_seconds ?? 0)).toBeCloseTo(
      parent.duration_seconds ?? 0,
      1,
    );

    const all = runCliJson<RunRow[]>(root, ["runs", "--all"]).json;
    // The child started after its parent: newest first, it comes first in JSON.
    expect(all.map((row) => [row.run_id, row.parent_run_id])).toEqual([
      [childId, parentId],
      [parentId, null],
    ]);
    const text = runCli(root, ["runs", "--all"]).stdout.trimEnd().split("\n");
    expect(text[0]).toMatch(/^RUN ID\s+TASK\s+PIPELINE\s+STATUS\s+BUSY\s+PAUSED\s+APPROVALS\s+GUARDRAILS$/);
    expect(text[1]?.startsWith(`${parentId} `)).toBe(true);
    expect(text[2]?.startsWith(`└ ${childId} `)).toBe(true);
    expect(text[1]).toMatch(/succeeded\s+\d+(\.\d+)?s\s+\d+(\.\d+)?s/);

    expect(runCliJson<{ run_id: string }>(root, ["status", "--latest"]).json.run_id).toBe(parentId);
    expect(runCliJson<{ run_id: string }>(root, ["status", "--latest", "--all"]).json.run_id).toBe(childId);
    expect(runCli(root, ["status", parentId, "--all"]).status).toBe(2);
  });

  it("status --latest --watch follows the parent through its child to the parent's end and exit code", async () => {
    const root = tempRepo(CONFIG);
    const orchestrator = spawnCli(root, ["start", "outer-slow"]);
    const exited = once(orchestrator, "exit");
    onTestFinished(() => {
      if (orchestrator.exitCode === null && orchestrator.signalCode === null) orchestrator.kill("SIGKILL");
    });
    const deadline = Date.now() + 60_000;
    let listed: RunRow[] = [];
    while (!listed.some((row) => row.parent_run_id !== null)) {
      if (Date.now() > deadline) throw new Error("the child run did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
      listed = runCliJson<RunRow[]>(root, ["runs", "--all"]).json;
    }
    const parentId = listed.find((row) => row.parent_run_id === null)?.run_id ?? "";

    const watched = runCli(root, ["status", "--latest", "--watch", "--interval", "0.2"]);

    // Not the child's exit (0, after 2 s): the parent's, after its own last stage failed.
    expect(watched.status).toBe(1);
    expect(watched.stdout).toContain(`Run ${parentId}`);
    expect(watched.stdout).toMatch(/Child runs:\n {2}\S+ {2}0101\/inner-slow {2}in_progress \(running nap\)/);
    expect(
      watched.stdout
        .trimEnd()
        .split("\n")
        .filter((line) => line.startsWith("Status: "))
        .pop(),
    ).toBe("Status: failed (stage:tail:failed)");
    const [code] = (await exited) as [number | null];
    expect(code).toBe(1);
  });
});

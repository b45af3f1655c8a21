import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_BIN, readJson, readNdjson, runCli, runCliJson } from "../helpers/cli.js";
import {
  allManifests,
  command,
  expectCompleteRunArtifacts,
  pipeline,
  readManifest,
  startJson,
  tempRepo,
  type StartJson,
  expectNoRuns,
} from "./support.js";

function subpipeline(
  id: string,
  target: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { kind: "subpipeline", id, title: `Run ${target}`, pipeline: target, ...extra };
}

describe("subpipeline stages", () => {
  it("records a parent → child → grandchild chain across two task ids, lineage both ways", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("parent", [
          command("p1", "echo parent"),
          subpipeline("to-child", "child", { task: "2002" }),
        ]),
        pipeline("child", [
          command("c1", "echo child=$MCP_RUNNER_TASK_ID"),
          subpipeline("to-grandchild", "grandchild"),
        ]),
        pipeline("grandchild", [
          command("g1", 'echo "grandchild=$MCP_RUNNER_TASK_ID" > grandchild-task.txt'),
        ]),
      ],
    });

    const result = startJson(root, ["parent", "--task", "1001"]);

    expect(result.status).toBe(0);
    const parent = readManifest(root, result.json.manifest);
    expect(parent).toMatchObject({ task_id: "1001", status: "succeeded", parent_run_id: null });
    const childEntry = parent.child_runs[0];
    expect(parent.child_runs).toHaveLength(1);
    expect(childEntry).toMatchObject({ task_id: "2002", pipeline_id: "child", status: "succeeded" });
    expect(childEntry?.manifest).toBe(`.runs/2002/cli/${childEntry?.run_id}/manifest.json`);
    expect(parent.commands[1]).toMatchObject({
      id: "to-child",
      kind: "subpipeline",
      status: "succeeded",
      command: null,
    });
    expect(parent.commands[1]?.sub_run_id).toBe(childEntry?.run_id);

    const child = readManifest(root, childEntry?.manifest ?? "");
    expect(child).toMatchObject({
      task_id: "2002",
      pipeline_id: "child",
      parent_run_id: parent.run_id,
      status: "succeeded",
    });
    const grandchildEntry = child.child_runs[0];
    expect(child.child_runs).toHaveLength(1);
    expect(grandchildEntry).toMatchObject({
      task_id: "2002",
      pipeline_id: "grandchild",
      status: "succeeded",
    });
    expect(child.commands[1]?.sub_run_id).toBe(grandchildEntry?.run_id);

    const grandchild = readManifest(root, grandchildEntry?.manifest ?? "");
    expect(grandchild).toMatchObject({ parent_run_id: child.run_id, task_id: "2002", child_runs: [] });
    expect(readFileSync(path.join(root, "grandchild-task.txt"), "utf8")).toBe("grandchild=2002\n");

    // Every run of the chain has its own complete, valid set of artifacts.
    const manifests = allManifests(path.join(root, ".runs"));
    expect(manifests).toHaveLength(3);
    for (const manifest of manifests) expectCompleteRunArtifacts(root, path.relative(root, manifest));
    // Metrics count the children.
    const parentMetrics = readNdjson(root, ".runs/1001/metrics.json");
    expect(parentMetrics).toHaveLength(1);
    expect(parentMetrics[0]).toMatchObject({ run_id: parent.run_id, child_runs: 1 });

    // The run index finds children by parent.
    const children = runCliJson<{ run_id: string }[]>(root, ["runs", "--parent", parent.run_id]);
    expect(children.json.map((row) => row.run_id)).toEqual([child.run_id]);
  });

  it("fails the parent with subpipeline:<id>:failed when a child fails", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("parent", [subpipeline("kid", "broken"), command("after", "touch after.txt")]),
        pipeline("broken", [command("boom", "exit 3")]),
      ],
    });

    const result = startJson(root, ["parent"]);

    expect(result.status).toBe(1);
    expect(result.json).toMatchObject({ status: "failed", status_detail: "subpipeline:kid:failed" });
    const parent = expectCompleteRunArtifacts(root, result.json.manifest);
    expect(parent.commands.map((entry) => entry.status)).toEqual(["failed", "pending"]);
    expect(parent.child_runs).toHaveLength(1);
    expect(parent.child_runs[0]).toMatchObject({ pipeline_id: "broken", status: "failed" });
    const child = expectCompleteRunArtifacts(root, parent.child_runs[0]?.manifest ?? "");
    expect(child).toMatchObject({
      status: "failed",
      status_detail: "stage:boom:failed",
      parent_run_id: parent.run_id,
    });
    expect(existsSync(path.join(root, "after.txt"))).toBe(false);
  });

  it("skips an optional child that fails and carries on", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("parent", [
          subpipeline("maybe", "broken", { optional: true }),
          command("after", "touch after.txt"),
        ]),
        pipeline("broken", [command("boom", "exit 3")]),
      ],
    });

    const result = startJson(root, ["parent"]);

    expect(result.status).toBe(0);
    const parent = expectCompleteRunArtifacts(root, result.json.manifest);
    expect(parent.commands.map((entry) => [entry.id, entry.status])).toEqual([
      ["maybe", "skipped"],
      ["after", "succeeded"],
    ]);
    expect(parent.child_runs[0]).toMatchObject({ pipeline_id: "broken", status: "failed" });
    expect(parent.commands[0]?.sub_run_id).toBe(parent.child_runs[0]?.run_id);
    expect(existsSync(path.join(root, "after.txt"))).toBe(true);
  });

  it("finds a subpipeline cycle before anything runs and prints its path (exit 2)", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("alpha", [command("first", "touch ran.txt"), subpipeline("to-beta", "beta")]),
        pipeline("beta", [subpipeline("to-gamma", "gamma")]),
        pipeline("gamma", [subpipeline("to-alpha", "alpha")]),
      ],
    });

    const start = runCli(root, ["start", "alpha"]);
    const plan = runCli(root, ["plan", "beta"]);

    expect(start.status).toBe(2);
    expect(start.stderr).toMatch(/cycle/i);
    expect(start.stderr).toMatch(/alpha\s*(→|->)\s*beta\s*(→|->)\s*gamma\s*(→|->)\s*alpha/);
    expect(start.stderr).not.toMatch(/\n\s+at /);
    expect(plan.status).toBe(2);
    expect(plan.stderr).toMatch(/cycle/i);
    expect(existsSync(path.join(root, "ran.txt"))).toBe(false);
    expectNoRuns(root);
  });

  it("reports an unknown subpipeline target as bad config (exit 2)", () => {
    const root = tempRepo({ pipelines: [pipeline("parent", [subpipeline("kid", "missing")])] });

    const result = runCli(root, ["start", "parent"]);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("missing");
  });
});

/** Run inside a stage: checks that the parent manifest (still running) already lists the sub-agent. */
const CHECK_PARENT = `
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
const root = process.env.CODEX_ORCHESTRATOR_ROOT;
const parentPath = path.resolve(root, process.env.CODEX_ORCHESTRATOR_MANIFEST);
const parent = JSON.parse(readFileSync(parentPath, "utf8"));
const helper = JSON.parse(readFileSync(path.join(root, "helper.json"), "utf8"));
const entry = parent.child_runs.find((child) => child.run_id === helper.run_id);
writeFileSync(path.join(root, "seen.json"), JSON.stringify({ parentStatus: parent.status, entry, runId: process.env.CODEX_ORCHESTRATOR_RUN_ID }));
process.exit(entry && parent.status === "in_progress" ? 0 : 1);
`;

describe("sub-agent runs", () => {
  it("a `start` launched inside a stage attaches to the running parent", () => {
    const root = tempRepo(
      {
        pipelines: [
          pipeline("agent", [
            command("spawn", 'node "$E2E_CLI_BIN" start helper --format json > helper.json'),
            command("check", "node check-parent.mjs"),
          ]),
          pipeline("helper", [command("work", "echo helping $MCP_RUNNER_TASK_ID")]),
        ],
      },
      { "check-parent.mjs": CHECK_PARENT },
    );

    const result = startJson(root, ["agent", "--task", "3003"], { env: { E2E_CLI_BIN: CLI_BIN } });

    expect(result.status, result.stderr).toBe(0);
    const helper = readJson<StartJson>(root, "helper.json");
    const seen = readJson<{ parentStatus: string; entry: { run_id: string; status: string }; runId: string }>(
      root,
      "seen.json",
    );
    // While the parent was still running, its manifest already listed the sub-agent.
    expect(seen.parentStatus).toBe("in_progress");
    expect(seen.entry).toMatchObject({ run_id: helper.run_id, pipeline_id: "helper", task_id: "3003" });
    expect(seen.runId).toBe(result.json.run_id);

    const parent = expectCompleteRunArtifacts(root, result.json.manifest);
    const child = expectCompleteRunArtifacts(root, helper.manifest);
    expect(child).toMatchObject({ parent_run_id: parent.run_id, task_id: "3003", status: "succeeded" });
    expect(parent.child_runs).toEqual([
      {
        run_id: child.run_id,
        task_id: "3003",
        pipeline_id: "helper",
        status: "succeeded",
        manifest: helper.manifest,
      },
    ]);
  });

  it("--parent-run attaches a run started outside any stage", () => {
    const root = tempRepo({ pipelines: [pipeline("ok", [command("one", "true")])] });
    const parent = startJson(root, ["ok"]);

    const child = startJson(root, ["ok", "--parent-run", parent.json.run_id, "--task", "0102"]);

    expect(child.status).toBe(0);
    expect(readManifest(root, child.json.manifest).parent_run_id).toBe(parent.json.run_id);
    expect(readManifest(root, parent.json.manifest).child_runs).toEqual([
      expect.objectContaining({ run_id: child.json.run_id, task_id: "0102", status: "succeeded" }),
    ]);
  });
});

import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readJson, readNdjson, runCliJson } from "../helpers/cli.js";
import {
  checkRunArtifacts,
  command,
  pipeline,
  spawnCliAsync,
  stackLines,
  tempRepo,
  waitFor,
} from "./support.js";

interface StartJson {
  run_id: string;
  status: string;
  status_detail: string | null;
  artifact_root: string;
}

interface ManifestJson {
  status: string;
  status_detail: string | null;
  completed_at: string | null;
  metrics_recorded: boolean;
  commands: { id: string; status: string; summary: string | null }[];
}

/** The run ended as failed everywhere a reader looks: manifest, last event, metrics, state. */
function expectFailedRun(root: string, run: StartJson, detail: string | RegExp): ManifestJson {
  const manifest = readJson<ManifestJson>(root, `${run.artifact_root}/manifest.json`);
  expect(manifest.status).toBe("failed");
  expect(manifest.status_detail).toMatch(detail);
  expect(manifest.completed_at).not.toBeNull();
  expect(manifest.metrics_recorded).toBe(true);
  const events = readNdjson<{ type: string; status?: string }>(root, `${run.artifact_root}/runner.ndjson`);
  expect(events.filter((event) => event.type === "run:end").at(-1)?.status).toBe("failed");
  const state = readJson<{ runs: { run_id?: string; runId?: string; status: string }[] }>(
    root,
    "out/0101/state.json",
  );
  expect(JSON.stringify(state)).toContain(run.run_id);
  expect(checkRunArtifacts(root, "0101", run.run_id).problems).toEqual([]);
  return manifest;
}

function single(stage: Record<string, unknown>, files: Record<string, string> = {}): string {
  return tempRepo(
    { defaultPipeline: "p", pipelines: [pipeline("p", [command("before", "true"), stage])] },
    files,
  );
}

describe("every run that started ends", () => {
  it("a subpipeline naming an unregistered task fails its stage and the run (exit 1), after stage 1 ran", () => {
    const root = tempRepo({
      defaultPipeline: "p",
      projects: [{ taskId: "0101", path: "." }],
      pipelines: [
        pipeline("p", [
          command("one", "echo one > ran"),
          { kind: "subpipeline", id: "nested", title: "Nested", pipeline: "c", task: "9999" },
        ]),
        pipeline("c", [command("x", "true")]),
      ],
    });
    const result = runCliJson<StartJson>(root, ["start"]);
    expect(result.status).toBe(1);
    expect(existsSync(path.join(root, "ran"))).toBe(true);
    expect(result.json.status).toBe("failed");
    expect(result.json.status_detail).toBe("error:ERR_TASK_UNREGISTERED");
    const manifest = expectFailedRun(root, result.json, "error:ERR_TASK_UNREGISTERED");
    const nested = manifest.commands.find((entry) => entry.id === "nested");
    expect(nested?.status).toBe("failed");
    expect(nested?.summary).toMatch(/^error: Task id "9999" .* is not registered/);
    expect(stackLines(result.stderr)).toEqual([]);
  });

  it.each([
    ["a 200 KB command", command("spawn", `echo ${"x".repeat(200_000)}`), {}, /^error:E2BIG$/],
    [
      "a 300 KB env value",
      command("spawn", "true", { env: { BIG: "y".repeat(300_000) } }),
      {},
      /^error:E2BIG$/,
    ],
    [
      "a cwd that is a file",
      command("spawn", "true", { cwd: "a-file" }),
      { "a-file": "x\n" },
      /^error:ENOTDIR$/,
    ],
  ] as const)(
    "%s: the stage fails, the run fails with the error named, exit 1",
    (_name, stage, files, detail) => {
      const root = single(stage, files);
      const result = runCliJson<StartJson>(root, ["start"]);
      expect(result.status).toBe(1);
      expect(result.json.status_detail).toMatch(detail);
      const manifest = expectFailedRun(root, result.json, detail);
      expect(manifest.commands.map((entry) => entry.status)).toEqual(["succeeded", "failed"]);
      expect(manifest.commands[1]?.summary).toMatch(/^error: /);
      expect(stackLines(result.stderr)).toEqual([]);
      expect(result.stderr).not.toMatch(/unexpected error/i);
    },
  );

  it("a parent resume that loses the race for its child fails the parent's stage and ends the parent", async () => {
    // The child's stage fails first; later it waits while `hold` exists, so a direct resume of the
    // child owns it when the parent is resumed.
    const root = tempRepo({
      defaultPipeline: "parent",
      pipelines: [
        pipeline("parent", [{ kind: "subpipeline", id: "nested", title: "Nested", pipeline: "child" }]),
        pipeline("child", [command("work", "while [ -f hold ]; do sleep 0.05; done; test -f ok")]),
      ],
    });
    const first = runCliJson<StartJson>(root, ["start"]);
    expect(first.status).toBe(1);
    const cliDir = path.join(root, ".runs/0101/cli");
    const childId = readdirSync(cliDir).find((id) => id !== first.json.run_id) as string;
    writeFileSync(path.join(root, "hold"), "");
    const direct = spawnCliAsync(root, ["resume", childId]);
    try {
      const childEvents = path.join(cliDir, childId, "runner.ndjson");
      // The direct resume owns the child once its stage is running again.
      expect(
        await waitFor(
          () =>
            readNdjson<{ type: string }>(root, path.relative(root, childEvents)).filter(
              (e) => e.type === "command:start",
            ).length >= 2,
          15_000,
        ),
      ).toBe(true);
      const parent = runCliJson<StartJson>(root, ["resume", first.json.run_id]);
      expect(parent.status).toBe(1);
      expect(parent.json.status_detail).toBe("error:ERR_RESUME_REFUSED");
      expectFailedRun(root, { ...first.json, ...parent.json }, "error:ERR_RESUME_REFUSED");
      expect(stackLines(parent.stderr)).toEqual([]);
    } finally {
      writeFileSync(path.join(root, "ok"), "");
      rmSync(path.join(root, "hold"), { force: true });
    }
    const directResult = await direct.finished;
    expect(directResult.status).toBe(0);
  }, 30_000);
});

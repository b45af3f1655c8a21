import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../test/helpers/temp-dir.js";
import type { OrchestratorEvents } from "../src/index.js";
import { commandStage, configJson, createOrchestrator } from "./support.js";

// Two sibling subpipelines, one of which nests a third run, and a gate: what a progress display needs
// to draw the tree (parent ids, depths) and a start and end for every kind of stage.
const CONFIG = {
  pipelines: [
    {
      id: "top",
      title: "Top",
      concurrency: 1,
      stages: [
        { kind: "subpipeline", id: "first", title: "First", pipeline: "leaf" },
        { kind: "subpipeline", id: "second", title: "Second", pipeline: "middle" },
        { kind: "manual", id: "gate", title: "Gate" },
      ],
    },
    {
      id: "middle",
      title: "Middle",
      stages: [{ kind: "subpipeline", id: "inner", title: "Inner", pipeline: "leaf" }],
    },
    { id: "leaf", title: "Leaf", stages: [commandStage("work", "echo working")] },
  ],
};

describe("progress events", () => {
  it("give every run its parent and depth, and every kind of stage a start and an end", async () => {
    const root = tempDir();
    writeFiles(root, { "codex.orchestrator.json": configJson(CONFIG) });
    const orchestrator = createOrchestrator(root);
    const runs: OrchestratorEvents["run:started"][] = [];
    const stages: string[] = [];
    orchestrator.on("run:started", (event) => runs.push(event));
    orchestrator.on("stage:started", (event) => stages.push(`start ${event.stageId} ${event.kind}`));
    orchestrator.on("stage:finished", (event) => stages.push(`end ${event.stageId} ${event.status}`));

    const result = await orchestrator.start("top", { taskId: "0101", approvalPolicy: "pause" });

    expect(result.status).toBe("awaiting_approval");
    const [top, first, second, inner] = runs;
    expect(runs).toHaveLength(4);
    expect(top).toMatchObject({ pipelineId: "top", parentRunId: null, depth: 0 });
    // Siblings sit at the same depth; the nested run one deeper, under its own parent.
    expect(first).toMatchObject({ pipelineId: "leaf", parentRunId: top?.runId, depth: 1 });
    expect(second).toMatchObject({ pipelineId: "middle", parentRunId: top?.runId, depth: 1 });
    expect(inner).toMatchObject({ pipelineId: "leaf", parentRunId: second?.runId, depth: 2 });
    expect(stages).toEqual([
      "start first subpipeline",
      "start work command",
      "end work succeeded",
      "end first succeeded",
      "start second subpipeline",
      "start inner subpipeline",
      "start work command",
      "end work succeeded",
      "end inner succeeded",
      "end second succeeded",
      "start gate manual",
      // A gate left waiting ends as pending.
      "end gate pending",
    ]);
  });
});

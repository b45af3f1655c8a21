import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { command, pipeline, snapshotTree, stackLines, tempRepo } from "./support.js";

const CONFIG = { defaultPipeline: "p", pipelines: [pipeline("p", [command("one", "echo one")])] };

// Each case plants a link inside the runs (or out) directory that points outside the repo.
const PLANTS = [
  { name: ".runs/<task> → outside", link: ".runs/0101" },
  { name: ".runs/<task>/cli → outside", link: ".runs/0101/cli" },
  { name: ".runs/<task>/mcp → outside", link: ".runs/0101/mcp" },
  { name: ".runs/local-mcp → outside", link: ".runs/local-mcp" },
  { name: "out/<task> → outside", link: "out/0101" },
];

describe("symlinks planted in the runs directory", () => {
  it.each(PLANTS)("$name: nothing is written outside", ({ link }) => {
    const root = tempRepo(CONFIG);
    const outside = tempDir("codex-orchestrator-outside-");
    mkdirSync(path.join(outside, "existing"));
    mkdirSync(path.dirname(path.join(root, link)), { recursive: true });
    symlinkSync(outside, path.join(root, link));
    const before = snapshotTree(outside);
    const result = runCli(root, ["start"]);
    expect(snapshotTree(outside)).toEqual(before);
    // Refused as bad input (exit 2) with one line naming the link, never a stack trace.
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n").at(-1)).toMatch(
      /Refusing to write to .*: a symbolic link leads it outside/,
    );
    expect(stackLines(result.stderr)).toEqual([]);
  });

  it("a run folder that is a link to a real run outside is neither resumed, approved nor written", () => {
    const root = tempRepo({
      defaultPipeline: "p",
      pipelines: [pipeline("p", [command("gate", "test -f ok")])],
    });
    const failed = runCliJson<{ run_id: string; artifact_root: string }>(root, ["start"]);
    expect(failed.status).toBe(1);
    const outside = path.join(tempDir("codex-orchestrator-outside-"), "run");
    // Move the real run out and leave a link in its place.
    renameSync(path.join(root, failed.json.artifact_root), outside);
    symlinkSync(outside, path.join(root, failed.json.artifact_root));
    writeFileSync(path.join(root, "ok"), "");
    const before = snapshotTree(outside);
    for (const args of [
      ["resume", failed.json.run_id],
      ["approve", failed.json.run_id, "--stage", "gate"],
      ["status", failed.json.run_id],
    ]) {
      const result = runCli(root, args);
      expect(result.status).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(stackLines(result.stderr)).toEqual([]);
    }
    expect(snapshotTree(outside)).toEqual(before);
  });
});

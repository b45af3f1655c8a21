import { mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { command, pipeline, snapshotTree, stackLines, tempRepo } from "./support.js";

// One stage that fails until `ok` exists: the run ends failed, with commands/ and errors/ written.
const CONFIG = { defaultPipeline: "p", pipelines: [pipeline("p", [command("gate", "test -f ok")])] };

interface FailedRun {
  root: string;
  runId: string;
  runDir: string;
  outside: string;
}

function failedRun(): FailedRun {
  const root = tempRepo(CONFIG);
  const started = runCliJson<{ run_id: string; artifact_root: string }>(root, ["start"]);
  expect(started.status).toBe(1);
  const outside = tempDir("codex-orchestrator-outside-");
  writeFileSync(path.join(outside, "existing.txt"), "OUTSIDE-CONTENT\n");
  return { root, runId: started.json.run_id, runDir: path.join(root, started.json.artifact_root), outside };
}

/** Replaces `relative` in the run folder with a link to a copy-free place outside the repository. */
function plantLink(run: FailedRun, relative: string): void {
  const inRun = path.join(run.runDir, relative);
  const target = path.join(run.outside, "moved", path.basename(relative));
  mkdirSync(path.dirname(target), { recursive: true });
  try {
    renameSync(inRun, target);
  } catch {
    // Not written by the failed run (approvals/, children/, …): link to an empty folder outside.
    mkdirSync(target);
  }
  symlinkSync(target, inRun);
}

function firstEntry(run: FailedRun, folder: string): string {
  const name = readdirSync(path.join(run.runDir, folder))[0];
  if (name === undefined) throw new Error(`${folder}/ is empty`);
  return `${folder}/${name}`;
}

const PLANTED: Array<{ name: string; relative: (run: FailedRun) => string }> = [
  ...["commands", "errors", "approvals", "resume-events", "children"].map((folder) => ({
    name: `${folder}/ → outside`,
    relative: () => folder,
  })),
  { name: "commands/<file> → outside", relative: (run) => firstEntry(run, "commands") },
  { name: "errors/<file> → outside", relative: (run) => firstEntry(run, "errors") },
  { name: "manifest.json → outside", relative: () => "manifest.json" },
  { name: "runner.ndjson → outside", relative: () => "runner.ndjson" },
  { name: ".heartbeat → outside", relative: () => ".heartbeat" },
];

describe("links planted inside a run folder", () => {
  it.each(PLANTED)(
    "$name: resume, approve, status and status of the latest run exit 2 and write nothing outside",
    (plant) => {
      const run = failedRun();
      plantLink(run, plant.relative(run));
      writeFileSync(path.join(run.root, "ok"), "");
      const before = snapshotTree(run.outside);
      for (const args of [
        ["resume", run.runId],
        ["approve", run.runId, "--stage", "gate"],
        ["status", run.runId],
        ["status", "--latest"],
      ]) {
        const result = runCli(run.root, args);
        expect(result.status, `${args[0]}: ${result.stderr}`).toBe(2);
        const lines = result.stderr.trim().split("\n");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/Refusing to use .*: it is a symbolic link/);
        expect(stackLines(result.stderr)).toEqual([]);
        expect(result.stdout).not.toContain("OUTSIDE");
      }
      expect(snapshotTree(run.outside)).toEqual(before);
    },
  );
});

describe("paths named in run files", () => {
  it("status does not show an error_file that lies outside the run", () => {
    const run = failedRun();
    const secret = path.join(run.outside, "error.json");
    writeFileSync(secret, JSON.stringify({ tail_lines: ["OUTSIDE-SECRET"] }));
    const manifestFile = path.join(run.runDir, "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as {
      commands: Array<{ error_file: string | null }>;
    };
    manifest.commands[0]!.error_file = path.relative(run.root, secret);
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const result = runCli(run.root, ["status", run.runId, "--format", "json"]);
    expect(stackLines(result.stderr)).toEqual([]);
    expect(result.stdout).toContain(manifest.commands[0]!.error_file);
    expect(result.stdout).not.toContain("OUTSIDE-SECRET");
  });

  it("status does not take a child's status from a manifest outside the runs directory", () => {
    const run = failedRun();
    const outsideManifest = path.join(run.outside, "manifest.json");
    writeFileSync(outsideManifest, JSON.stringify({ status: "cancelled" }));
    mkdirSync(path.join(run.runDir, "children"), { recursive: true });
    writeFileSync(
      path.join(run.runDir, "children", "child-1.json"),
      JSON.stringify({
        run_id: "child-1",
        task_id: "0101",
        pipeline_id: "p",
        status: "in_progress",
        manifest: path.relative(run.root, outsideManifest),
      }),
    );
    const result = runCliJson<{ child_runs: Array<{ run_id: string; status: string }> }>(run.root, [
      "status",
      run.runId,
    ]);
    expect(stackLines(result.stderr)).toEqual([]);
    expect(result.json.child_runs).toEqual([
      expect.objectContaining({ run_id: "child-1", status: "in_progress" }),
    ]);
  });
});

describe("ownership lock in a bad state", () => {
  it("an .owner.lock that is a directory: one line naming it, exit 2, no stack", () => {
    const run = failedRun();
    mkdirSync(path.join(run.runDir, ".owner.lock"));
    writeFileSync(path.join(run.root, "ok"), "");
    const result = runCli(run.root, ["resume", run.runId]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/\.owner\.lock: it is a directory, not a lock file/);
    expect(stackLines(result.stderr)).toEqual([]);
  });
});

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readJson, runCliJson } from "../helpers/cli.js";
import { command, listFiles, pipeline, stackLines, tempRepo } from "./support.js";

const CONFIG = { defaultPipeline: "p", pipelines: [pipeline("p", [command("a", "echo a")])] };

interface StartJson {
  run_id: string;
  status: string;
  artifact_root: string;
  exit_code: number;
}

const mounted: string[] = [];
afterEach(() => {
  for (const directory of mounted.splice(0)) spawnSync("umount", [directory]);
});

/** Mounts a 64 KiB tmpfs on `directory` and fills it; null when mounting is not permitted. */
function fullDisk(directory: string): string | null {
  mkdirSync(directory, { recursive: true });
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", directory], {
    encoding: "utf8",
  });
  if (mount.status !== 0)
    return `mount -t tmpfs is not permitted here (${(mount.stderr || mount.error?.message || "").trim()})`;
  mounted.push(directory);
  mkdirSync(path.join(directory, "0101"));
  try {
    writeFileSync(path.join(directory, "0101", "fill"), Buffer.alloc(256 * 1024));
  } catch {
    // ENOSPC: the disk is full, as wanted.
  }
  return null;
}

/** The run succeeded and its manifest says so; the process failed because a file was not written. */
function expectTruthfulRunWithExit1(root: string, result: ReturnType<typeof runCliJson<StartJson>>): void {
  expect(result.status).toBe(1);
  expect(result.json.exit_code).toBe(1);
  expect(result.json.status).toBe("succeeded");
  const manifest = readJson<{ status: string; completed_at: string | null }>(
    root,
    `${result.json.artifact_root}/manifest.json`,
  );
  expect(manifest.status).toBe("succeeded");
  expect(manifest.completed_at).not.toBeNull();
  expect(result.stderr).toMatch(/Could not write the state: (Could not .*|Refusing to read .*)state\.json/);
  expect(stackLines(result.stderr)).toEqual([]);
}

describe("a full or broken out directory at the end of a run", () => {
  it("a full out directory: exit 1, the manifest truthful, no temp file left", (context) => {
    const root = tempRepo(CONFIG);
    const skip = fullDisk(path.join(root, "out"));
    if (skip !== null) {
      context.skip(skip);
      return;
    }
    const result = runCliJson<StartJson>(root, ["start"]);
    expectTruthfulRunWithExit1(root, result);
    expect(result.stderr).toContain("ENOSPC");
    expect(listFiles(path.join(root, "out"))).toEqual(["0101/fill"]);
  });

  it("a state.json that is a directory: exit 1, the manifest truthful, no temp file left", () => {
    const root = tempRepo(CONFIG);
    mkdirSync(path.join(root, "out/0101/state.json"), { recursive: true });
    const result = runCliJson<StartJson>(root, ["start"]);
    expectTruthfulRunWithExit1(root, result);
    expect(listFiles(path.join(root, "out")).filter((file) => file.endsWith(".tmp"))).toEqual([]);
  });
});

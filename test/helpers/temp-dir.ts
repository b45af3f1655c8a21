import { mkdtempSync, realpathSync } from "node:fs";
import fsExtra from "fs-extra";
import os from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";

/**
 * Creates a fresh directory under the OS temp dir and removes it when the current test finishes.
 * Returns the real path (macOS puts tmpdir behind a symlink), so it compares equal to what
 * `process.cwd()`, `git rev-parse --show-toplevel` and friends report. Call it inside a test.
 */
export function tempDir(prefix = "codex-orchestrator-test-"): string {
  const directory = realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
  onTestFinished(() => {
    fsExtra.removeSync(directory);
  });
  return directory;
}

/** Writes `files` (relative path → content) under `root`, creating parent directories as needed. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    fsExtra.outputFileSync(path.join(root, relative), content);
  }
}

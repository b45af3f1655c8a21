import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll } from "vitest";

const PACKAGE_SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/index.ts");
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

interface EsbuildLike {
  buildSync(options: Record<string, unknown>): unknown;
}

/**
 * Bundles this package's sources into one ESM file (outside the repository) so that plain `node`
 * child processes run exactly the code under test; Node 20 cannot import `.ts` itself. esbuild
 * comes from tsup, the repo's build tool. Call at describe level; returns a getter for the file URL.
 */
export function usePackageBundle(): () => string {
  let directory: string | null = null;
  let url = "";
  beforeAll(() => {
    directory = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "codex-persistence-bundle-")));
    const outfile = path.join(directory, "persistence.mjs");
    const requireFromTsup = createRequire(
      fs.realpathSync(path.join(REPO_ROOT, "node_modules/tsup/package.json")),
    );
    const esbuild = requireFromTsup("esbuild") as EsbuildLike;
    esbuild.buildSync({
      entryPoints: [PACKAGE_SOURCE],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      conditions: ["@codex/source"],
      logLevel: "error",
      // fs-extra is CommonJS and calls require() on Node built-ins.
      banner: {
        js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
      },
    });
    url = pathToFileURL(outfile).href;
  });
  afterAll(() => {
    if (directory !== null) fs.rmSync(directory, { recursive: true, force: true });
  });
  return () => url;
}

/** How a child process ended. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node <script> ...args`; the promise settles when it exits. */
export function runNode(
  script: string,
  args: readonly string[] = [],
  options: { cwd?: string } = {},
): Promise<ChildResult> & { pid: number | undefined; exited: () => boolean } {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd ?? path.dirname(script),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let done = false;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const promise = new Promise<ChildResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      done = true;
      resolve({ code, signal, stdout, stderr });
    });
  });
  return Object.assign(promise, { pid: child.pid, exited: () => done });
}

/** Writes an ES module script into `directory` and returns its path. */
export function writeScript(directory: string, name: string, source: string): string {
  const file = path.join(directory, name);
  fs.writeFileSync(file, source);
  return file;
}

/** The pid of a process that has already exited (nothing else is likely to reuse it soon). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid;
  await new Promise<void>((resolve) => child.on("close", () => resolve()));
  if (pid === undefined) throw new Error("could not spawn a process");
  return pid;
}

/** Yields to the event loop (so child exit events arrive during a busy read loop). */
export function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

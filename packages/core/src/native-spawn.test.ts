import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/temp-dir.js";
import {
  SPAWN_MODE_ENV,
  launchShellNatively,
  nativeLauncherAvailable,
  type LaunchedProcess,
} from "./native-spawn.js";

interface Finished {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function collect(child: LaunchedProcess): Promise<Finished> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let exit: { code: number | null; signal: string | null } | null = null;
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code: number | null, signal: string | null) => (exit = { code, signal }));
    child.on("error", reject);
    child.on("close", () => resolve({ ...exit!, stdout, stderr }));
  });
}

function launch(command: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): LaunchedProcess {
  const child = launchShellNatively(command, {
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
  });
  if (child === null) throw new Error("the compiled launcher is not available");
  return child;
}

const previousMode = process.env[SPAWN_MODE_ENV];
afterEach(() => {
  if (previousMode === undefined) delete process.env[SPAWN_MODE_ENV];
  else process.env[SPAWN_MODE_ENV] = previousMode;
});

describe.runIf(process.platform === "linux")("the compiled stage launcher", () => {
  it("is built and loads on Linux (the build compiles native/spawn.c)", () => {
    expect(nativeLauncherAvailable()).toBe(true);
  });

  it("steps aside when CODEX_ORCHESTRATOR_SPAWN=node", () => {
    process.env[SPAWN_MODE_ENV] = "node";
    expect(nativeLauncherAvailable()).toBe(false);
    expect(launchShellNatively("true", { cwd: process.cwd(), env: process.env })).toBeNull();
  });

  it("starts the shell in a session and process group of its own, with default signals and no mask", async () => {
    const result = await collect(
      // grep reads its own status (exec'd by the shell, so it has the shell's mask and dispositions):
      // the shell's own mask is briefly full while it waits for a child.
      launch('echo $$; cut -d" " -f5,6 /proc/$$/stat; exec grep -E "^Sig(Blk|Ign)" /proc/self/status'),
    );
    const [pid, groupAndSession, blocked, ignored] = result.stdout.trim().split("\n");
    expect(groupAndSession).toBe(`${pid} ${pid}`);
    expect(blocked).toMatch(/^SigBlk:\s+0+$/);
    // Node itself ignores SIGPIPE; a stage must not inherit that. (posix_spawn leaves glibc's two
    // internal signals, 32 and 33, ignored; glibc programs install their own handlers for them.)
    const ignoredMask = BigInt(`0x${ignored!.split(/\s+/)[1]}`);
    expect(ignoredMask & 0x7fffffffn).toBe(0n);
    expect(result.code).toBe(0);
  });

  it("reports a death by signal by the signal's name, and exit codes as they are", async () => {
    expect(await collect(launch("kill -PIPE $$"))).toMatchObject({ code: null, signal: "SIGPIPE" });
    expect(await collect(launch("exit 42"))).toMatchObject({ code: 42, signal: null });
  });

  it("gives the command an empty stdin, the working directory and exactly the environment asked for", async () => {
    const dir = tempDir();
    const result = await collect(
      launch('cat; pwd; echo "$ONLY_THIS"; env | grep -c "^HOME=" || true; echo err >&2', {
        cwd: dir,
        env: { ONLY_THIS: "value", PATH: process.env.PATH },
      }),
    );
    expect(result.stdout).toBe(`${dir}\nvalue\n0\n`);
    expect(result.stderr).toBe("err\n");
  });

  it("reports a failure to start as an error event with the errno's code", async () => {
    const missing = path.join(tempDir(), "missing");
    const child = launch("true", { cwd: missing });
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => child.on("error", resolve));
    expect(error.code).toBe("ENOENT");
    expect(child.pid).toBeUndefined();
  });
});

import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

/**
 * A started shell command: the part of Node's `ChildProcess` that the process runner uses.
 * Emits `error` (failed to start), `exit` (code, signal) and `close` (exited and both pipes closed).
 */
export interface LaunchedProcess extends EventEmitter {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
}

interface LauncherAddon {
  usable(): boolean;
  spawn(
    file: string,
    argv: string[],
    envp: string[],
    cwd: string,
    onExit: (exitCode: number, signalNumber: number) => void,
  ): [pid: number, stdoutFd: number, stderrFd: number];
}

/** Set to `node` to start stages with Node's own spawn even where the launcher is built. */
export const SPAWN_MODE_ENV = "CODEX_ORCHESTRATOR_SPAWN";

// Where the compiled launcher sits: next to the bundled CLI's chunks (dist/native/), or in the
// core package (from src/ or dist/: ../native/build/).
const ADDON_CANDIDATES = ["./native/codex-spawn.node", "../native/build/codex-spawn.node"];

let addon: LauncherAddon | null | undefined;

function loadAddon(): LauncherAddon | null {
  if (process.env[SPAWN_MODE_ENV] === "node") return null;
  if (addon !== undefined) return addon;
  addon = null;
  if (process.platform !== "linux") return addon;
  const require = createRequire(import.meta.url);
  for (const candidate of ADDON_CANDIDATES) {
    try {
      const loaded = require(fileURLToPath(new URL(candidate, import.meta.url))) as LauncherAddon;
      if (loaded.usable()) addon = loaded;
      break;
    } catch {
      // Not built here (or built for another platform): try the next place, else Node's spawn.
    }
  }
  return addon;
}

/** Whether stages start through the compiled launcher (posix_spawn) rather than Node's spawn. */
export function nativeLauncherAvailable(): boolean {
  return loadAddon() !== null;
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(os.constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

class NativeProcess extends EventEmitter implements LaunchedProcess {
  pid: number | undefined = undefined;
  stdout: net.Socket | null = null;
  stderr: net.Socket | null = null;
  #open = 0;
  #exited = false;

  attach(pid: number, stdoutFd: number, stderrFd: number): void {
    this.pid = pid;
    this.stdout = this.#pipe(stdoutFd);
    this.stderr = this.#pipe(stderrFd);
  }

  exited(exitCode: number, signalNumber: number): void {
    this.#exited = true;
    const signal = signalNumber === 0 ? null : (signalNames.get(signalNumber) ?? null);
    this.emit("exit", signal === null ? exitCode : null, signal);
    this.#closeIfDone();
  }

  #pipe(fd: number): net.Socket {
    this.#open += 1;
    const socket = new net.Socket({ fd, readable: true, writable: false });
    socket.once("close", () => {
      this.#open -= 1;
      this.#closeIfDone();
    });
    return socket;
  }

  #closeIfDone(): void {
    if (this.#exited && this.#open === 0) this.emit("close");
  }
}

/**
 * Starts `/bin/sh -c <command>` through the compiled launcher, in a session (and process group) of
 * its own, stdin from /dev/null, stdout and stderr on pipes. Returns null when the launcher is not
 * available, so the caller uses Node's spawn instead.
 */
export function launchShellNatively(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv },
): LaunchedProcess | null {
  const launcher = loadAddon();
  if (launcher === null) return null;
  const envp: string[] = [];
  for (const [name, value] of Object.entries(options.env))
    if (value !== undefined) envp.push(`${name}=${value}`);
  const child = new NativeProcess();
  try {
    const [pid, stdoutFd, stderrFd] = launcher.spawn(
      "/bin/sh",
      ["/bin/sh", "-c", command],
      envp,
      options.cwd,
      (exitCode, signalNumber) => child.exited(exitCode, signalNumber),
    );
    child.attach(pid, stdoutFd, stderrFd);
  } catch (error) {
    // Reported like Node's spawn reports it: asynchronously, as an `error` event.
    process.nextTick(() => child.emit("error", error));
  }
  return child;
}

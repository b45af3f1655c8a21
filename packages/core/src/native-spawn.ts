import { EventEmitter } from "node:events";
import os from "node:os";
import { Readable } from "node:stream";
import { loadNativeAddon, type NativeAddon } from "./native-addon.js";

/**
 * A started shell command: the part of Node's `ChildProcess` that the process runner uses.
 * Emits `error` (failed to start), `exit` (code, signal) and `close` (exited and both pipes closed).
 */
export interface LaunchedProcess extends EventEmitter {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
}

/** Set to `node` to start stages with Node's own spawn even where the launcher is built. */
export const SPAWN_MODE_ENV = "CODEX_ORCHESTRATOR_SPAWN";

let launcher: NativeAddon | null | undefined;

function loadLauncher(): NativeAddon | null {
  if (process.env[SPAWN_MODE_ENV] === "node") return null;
  if (launcher === undefined) {
    const addon = loadNativeAddon();
    launcher = addon !== null && addon.usable() ? addon : null;
  }
  return launcher;
}

/** Whether stages start through the compiled launcher (posix_spawn) rather than Node's spawn. */
export function nativeLauncherAvailable(): boolean {
  return loadLauncher() !== null;
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(os.constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

class NativeProcess extends EventEmitter implements LaunchedProcess {
  pid: number | undefined = undefined;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
  #open = 0;
  #exited = false;

  attach(launcher: NativeAddon, pid: number, stdoutFd: number, stderrFd: number): void {
    this.pid = pid;
    let ended = 0;
    let stopped = false;
    // Destroying a stream before its end stops the reading; stop() is valid once, and only until
    // the reader has ended both streams (it frees itself then).
    const stopReading = () => {
      if (stopped || ended === 2) return;
      stopped = true;
      stop();
    };
    const stdout = this.#stream(stopReading);
    const stderr = this.#stream(stopReading);
    // The reader thread owns both pipes from here on.
    const stop = launcher.readPipes(stdoutFd, stderrFd, (stream, chunk) => {
      const target = stream === 0 ? stdout : stderr;
      if (chunk === null) ended += 1;
      if (!target.destroyed) target.push(chunk);
    });
    this.stdout = stdout;
    this.stderr = stderr;
  }

  exited(exitCode: number, signalNumber: number): void {
    this.#exited = true;
    const signal = signalNumber === 0 ? null : (signalNames.get(signalNumber) ?? null);
    this.emit("exit", signal === null ? exitCode : null, signal);
    this.#closeIfDone();
  }

  // Fed by the reader thread, which reads on however fast the chunks are taken (up to a bound).
  #stream(stopReading: () => void): Readable {
    this.#open += 1;
    const stream = new Readable({
      read() {},
      destroy(error, callback) {
        if (!stream.readableEnded) stopReading();
        callback(error);
      },
    });
    stream.once("close", () => {
      this.#open -= 1;
      this.#closeIfDone();
    });
    return stream;
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
  const launcher = loadLauncher();
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
    child.attach(launcher, pid, stdoutFd, stderrFd);
  } catch (error) {
    // Reported like Node's spawn reports it: asynchronously, as an `error` event.
    process.nextTick(() => child.emit("error", error));
  }
  return child;
}

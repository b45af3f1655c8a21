import { EventEmitter } from "node:events";
import fs from "node:fs";
import os from "node:os";
import { Readable } from "node:stream";
import { loadNativeAddon, type NativeAddon, type OutputPumpOptions } from "./native-addon.js";

/**
 * A started shell command: the part of Node's `ChildProcess` that the process runner uses.
 * Emits `error` (failed to start), `exit` (code, signal) and `close` (exited and both pipes closed).
 */
export interface LaunchedProcess extends EventEmitter {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
}

/** Where a natively launched command's output goes when it is written straight to files. */
export interface PumpedOutputOptions extends OutputPumpOptions {
  /** A write to `files[fileIndex]` failed (nothing more is written). */
  onWriteError: (fileIndex: number, errno: number) => void;
}

/** The last bytes of a pumped command's output (whole UTF-8 characters). */
export interface PumpedOutputTails {
  stdout: Buffer;
  stderr: Buffer;
  combined: Buffer;
}

/** A command whose output the pump writes: `close` comes once it exited and the pump ended. */
export interface PumpedProcess extends LaunchedProcess {
  /** Ends the pump early (what it read is written first). */
  stopOutput(): void;
  /** Settles once the pump has written everything and ended. */
  readonly outputEnded: Promise<PumpedOutputTails>;
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

/** The tails of a command that wrote nothing (or never started). */
export const NO_TAILS: PumpedOutputTails = {
  stdout: Buffer.alloc(0),
  stderr: Buffer.alloc(0),
  combined: Buffer.alloc(0),
};

class NativeProcess extends EventEmitter implements PumpedProcess {
  pid: number | undefined = undefined;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
  #open = 0;
  #exited = false;
  #stopOutput: (() => void) | null = null;
  #endOutput: (tails: PumpedOutputTails) => void = () => {};
  readonly outputEnded = new Promise<PumpedOutputTails>((resolve) => {
    this.#endOutput = resolve;
  });

  // Output written to files by the pump, on a thread of its own.
  pump(
    launcher: NativeAddon,
    pid: number,
    stdoutFd: number,
    stderrFd: number,
    output: PumpedOutputOptions,
  ): void {
    this.pid = pid;
    this.#open += 1;
    const stop = launcher.pumpOutput(stdoutFd, stderrFd, output, (...event) => {
      if (event[0] === 0) {
        output.onWriteError(event[1], event[2]);
        return;
      }
      // stop() is valid only until now: the pump frees itself after this.
      this.#stopOutput = null;
      this.#endOutput({ stdout: event[1], stderr: event[2], combined: event[3] });
      this.#open -= 1;
      this.#closeIfDone();
    });
    this.#stopOutput = stop;
  }

  stopOutput(): void {
    this.#stopOutput?.();
    this.#stopOutput = null;
  }

  // The pump never started: nothing was written.
  noOutput(): void {
    this.#endOutput(NO_TAILS);
  }

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
 * its own, stdin from /dev/null, stdout and stderr on pipes read into `stdout` and `stderr`.
 * Returns null when the launcher is not available, so the caller uses Node's spawn instead.
 */
export function launchShellNatively(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv },
): LaunchedProcess | null {
  return launch(command, options, (child, launcher, pid, stdoutFd, stderrFd) => {
    child.attach(launcher, pid, stdoutFd, stderrFd);
    child.noOutput();
  });
}

/**
 * As {@link launchShellNatively}, with the output written by the pump straight to files as output
 * event lines (see {@link NativeAddon.pumpOutput}) rather than read into streams. `output` is asked
 * for once the command has started, before its output is read, so that what must come first in the
 * files (opening them, the command's start event) is done while the command starts up rather than
 * before. When it throws, the command's process group is killed at once and the error thrown here.
 * It is not asked for when the command could not be started.
 */
export function launchShellPumped(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; output: () => PumpedOutputOptions },
): PumpedProcess | null {
  let unprepared: unknown = null;
  const child = launch(command, options, (child, launcher, pid, stdoutFd, stderrFd) => {
    let output: PumpedOutputOptions;
    try {
      output = options.output();
    } catch (error) {
      abandon(pid, stdoutFd, stderrFd);
      unprepared = error;
      return;
    }
    child.pump(launcher, pid, stdoutFd, stderrFd, output);
  });
  if (unprepared !== null) throw unprepared;
  return child;
}

// A command whose output has nowhere to go: stopped before it does anything more.
function abandon(pid: number, stdoutFd: number, stderrFd: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
  fs.closeSync(stdoutFd);
  fs.closeSync(stderrFd);
}

function launch(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv },
  attach: (
    child: NativeProcess,
    launcher: NativeAddon,
    pid: number,
    stdoutFd: number,
    stderrFd: number,
  ) => void,
): NativeProcess | null {
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
    attach(child, launcher, pid, stdoutFd, stderrFd);
  } catch (error) {
    child.noOutput();
    // Reported like Node's spawn reports it: asynchronously, as an `error` event.
    process.nextTick(() => child.emit("error", error));
  }
  return child;
}

import { spawn, type ChildProcess } from "node:child_process";

// Reads "+<pgid>" and "-<pgid>" lines; when its input ends (the worker exited, however it died),
// it sends SIGTERM to every group still listed and SIGKILL after the grace.
const WATCHDOG_SCRIPT = `
const grace = Number(process.argv[1]);
const groups = new Set();
let text = "";
const signal = (name) => { for (const group of groups) { try { process.kill(-group, name); } catch {} } };
process.stdin.setEncoding("utf8");
process.stdin.on("data", (data) => {
  text += data;
  let end;
  while ((end = text.indexOf("\\n")) !== -1) {
    const line = text.slice(0, end);
    text = text.slice(end + 1);
    const group = Number(line.slice(1));
    if (line[0] === "+") groups.add(group); else groups.delete(group);
  }
});
process.stdin.on("end", () => {
  if (groups.size === 0) process.exit(0);
  signal("SIGTERM");
  setTimeout(() => { signal("SIGKILL"); process.exit(0); }, grace);
});
process.on("SIGTERM", () => {});
process.on("SIGINT", () => {});
`;

/**
 * Stage process groups die with their worker. Node has no parent-death signal, so each worker
 * starts one small watchdog process (in a process group of its own) that reads a pipe from the
 * worker: the worker lists the groups it runs, and when the pipe closes, because the worker exited
 * or was killed with SIGKILL, the watchdog stops every group still listed.
 */
export class ProcessWatchdog {
  readonly #child: ChildProcess;

  constructor(options: { killGraceMs: number }) {
    this.#child = spawn(process.execPath, ["-e", WATCHDOG_SCRIPT, String(options.killGraceMs)], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    this.#child.unref();
    this.#child.stdin?.on("error", () => {});
    // The pipe must not keep the worker's event loop alive.
    (this.#child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  watch(processGroup: number): void {
    this.#child.stdin?.write(`+${processGroup}\n`);
  }

  release(processGroup: number): void {
    this.#child.stdin?.write(`-${processGroup}\n`);
  }

  /** The worker is stopping: groups still listed are stopped, then the watchdog exits. */
  close(): void {
    this.#child.stdin?.end();
  }
}

import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ProcessWatchdog } from "./process-watchdog.js";

function alive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe("ProcessWatchdog", () => {
  it("stops the groups still listed when its pipe closes, and leaves released ones alone", async () => {
    const watchdog = new ProcessWatchdog({ killGraceMs: 300 });
    const group = (command: string) => {
      const child = spawn("/bin/sh", ["-c", command], { detached: true, stdio: "ignore" });
      child.unref();
      return child.pid!;
    };
    // One group ignores SIGTERM: it gets SIGKILL after the grace.
    const stubborn = group("trap '' TERM; sleep 30 & wait");
    const plain = group("sleep 30");
    const released = group("sleep 30");
    for (const pid of [stubborn, plain, released]) watchdog.watch(pid);
    watchdog.release(released);
    watchdog.close();
    expect(await until(() => !alive(plain), 3_000)).toBe(true);
    expect(await until(() => !alive(stubborn), 3_000)).toBe(true);
    expect(alive(released)).toBe(true);
    process.kill(-released, "SIGKILL");
  });
});

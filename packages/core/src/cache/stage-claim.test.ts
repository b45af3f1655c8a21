import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exitedPid, lockHolder } from "../../../../test/helpers/lock-holder.js";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { acquireLock } from "@codex/orchestrator-persistence";
import { claimStageKey } from "./stage-claim.js";

const HEX = "ab".repeat(32);

describe("claimStageKey", () => {
  it("claims a free key at once, and releasing it removes the claim", async () => {
    const claims = tempDir();
    const waits: (number | null)[] = [];
    const claim = await claimStageKey(claims, HEX, {
      signal: new AbortController().signal,
      onWait: (pid) => waits.push(pid),
    });
    expect(waits).toEqual([]);
    expect(fs.existsSync(path.join(claims, `${HEX}.lock`))).toBe(true);
    claim.release();
    expect(fs.readdirSync(claims)).toEqual([]);
  });

  it("waits while another holder has it, says so once, and claims it once released", async () => {
    const claims = tempDir();
    const other = acquireLock(path.join(claims, `${HEX}.lock`), { timeoutMs: 0 });
    const waits: (number | null)[] = [];
    const claiming = claimStageKey(claims, HEX, {
      signal: new AbortController().signal,
      onWait: (pid) => waits.push(pid),
    });
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(waits).toEqual([process.pid]);
    other.release();
    const claim = await claiming;
    expect(waits).toHaveLength(1);
    expect(fs.existsSync(path.join(claims, `${HEX}.lock`))).toBe(true);
    claim.release();
    expect(fs.readdirSync(claims)).toEqual([]);
  });

  it("stops waiting when the run is stopped, holding nothing", async () => {
    const claims = tempDir();
    const other = acquireLock(path.join(claims, `${HEX}.lock`), { timeoutMs: 0 });
    const stop = new AbortController();
    const waits: (number | null)[] = [];
    const claiming = claimStageKey(claims, HEX, { signal: stop.signal, onWait: (pid) => waits.push(pid) });
    setTimeout(() => stop.abort(), 150);
    const claim = await claiming;
    expect(waits).toEqual([process.pid]);
    claim.release();
    // The other holder's claim is untouched.
    expect(fs.existsSync(other.path)).toBe(true);
    other.release();
  });

  it("takes over the claim of a process that has exited", async () => {
    const claims = tempDir();
    fs.writeFileSync(path.join(claims, `${HEX}.lock`), JSON.stringify(lockHolder(exitedPid())));
    const waits: (number | null)[] = [];
    const claim = await claimStageKey(claims, HEX, {
      signal: new AbortController().signal,
      onWait: (pid) => waits.push(pid),
    });
    expect(waits).toEqual([]);
    claim.release();
    expect(fs.readdirSync(claims)).toEqual([]);
  });
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { deadPid } from "../../test/child-processes.js";
import { LockHeldError } from "../errors.js";
import { claimRunOwnership, readRunOwner } from "./run-owner.js";

const RUN_ID = "2025-10-31T22-56-34-431Z-9574035c";

describe("claimRunOwnership / readRunOwner", () => {
  it("records this process as the live owner until released", () => {
    const lockPath = path.join(tempDir(), ".owner.lock");
    expect(readRunOwner(lockPath)).toBeNull();
    const claim = claimRunOwnership(lockPath, RUN_ID);
    expect(readRunOwner(lockPath)).toMatchObject({ pid: process.pid, hostname: os.hostname(), alive: true });
    claim.release();
    expect(readRunOwner(lockPath)).toBeNull();
  });

  it("refuses at once while a live process owns the run", () => {
    const lockPath = path.join(tempDir(), ".owner.lock");
    const claim = claimRunOwnership(lockPath, RUN_ID);
    const started = Date.now();
    let caught: unknown;
    try {
      claimRunOwnership(lockPath, RUN_ID);
    } catch (error) {
      caught = error;
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(caught).toBeInstanceOf(LockHeldError);
    expect((caught as LockHeldError).message).toBe(
      `Run ${RUN_ID} is still owned by live process ${process.pid}`,
    );
    expect((caught as LockHeldError).holderPid).toBe(process.pid);
    claim.release();
  });

  it("reports a dead owner as not alive, and lets a new owner reclaim the run", async () => {
    const lockPath = path.join(tempDir(), ".owner.lock");
    const pid = await deadPid();
    fs.writeFileSync(
      lockPath,
      JSON.stringify({
        pid,
        hostname: os.hostname(),
        acquired_at: "2025-10-31T22:56:34.431Z",
        token: "0123456789abcdef",
      }),
    );
    expect(readRunOwner(lockPath)).toEqual({
      pid,
      hostname: os.hostname(),
      acquired_at: "2025-10-31T22:56:34.431Z",
      alive: false,
    });
    const claim = claimRunOwnership(lockPath, RUN_ID);
    expect(readRunOwner(lockPath)?.pid).toBe(process.pid);
    claim.release();
  });
});

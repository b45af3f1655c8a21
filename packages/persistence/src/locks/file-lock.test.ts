import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { deadPid, runNode, usePackageBundle, writeScript } from "../../test/child-processes.js";
import { LockHeldError, PersistenceError } from "../errors.js";
import {
  acquireLock,
  isLockStale,
  isProcessAlive,
  readLockHolder,
  withLock,
  type LockHolder,
} from "./file-lock.js";

const bundle = usePackageBundle();

function writeHolder(lockPath: string, holder: Partial<LockHolder>): void {
  fs.writeFileSync(
    lockPath,
    JSON.stringify({
      hostname: os.hostname(),
      acquired_at: new Date().toISOString(),
      token: "feedface",
      ...holder,
    }),
  );
}

describe("isProcessAlive", () => {
  it("is true for this process and false for an exited one or a bad pid", async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(await deadPid())).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
    expect(isProcessAlive(1.5)).toBe(false);
  });
});

describe("acquireLock", () => {
  it("writes a whole holder record and removes the lock on release", () => {
    const lockPath = path.join(tempDir(), "state.json.lock");
    const lock = acquireLock(lockPath, { purpose: "state snapshot" });
    const holder = readLockHolder(lockPath);
    expect(holder).toMatchObject({ pid: process.pid, hostname: os.hostname(), purpose: "state snapshot" });
    expect(holder?.token).toMatch(/^[0-9a-f]{16}$/);
    expect(Number.isNaN(Date.parse(holder?.acquired_at ?? ""))).toBe(false);
    expect(lock.path).toBe(lockPath);
    lock.release();
    lock.release();
    expect(fs.existsSync(lockPath)).toBe(false);
    expect(fs.readdirSync(path.dirname(lockPath))).toEqual([]);
  });

  it("does not remove a lock that someone else holds now", () => {
    const lockPath = path.join(tempDir(), "x.lock");
    const lock = acquireLock(lockPath);
    writeHolder(lockPath, { pid: process.pid, token: "someone-else" });
    lock.release();
    expect(readLockHolder(lockPath)?.token).toBe("someone-else");
  });

  it("fails with LockHeldError naming the live holder's pid after the timeout", () => {
    const lockPath = path.join(tempDir(), "x.lock");
    const held = acquireLock(lockPath);
    let caught: unknown;
    try {
      acquireLock(lockPath, { timeoutMs: 50, purpose: "Run owner" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LockHeldError);
    const error = caught as LockHeldError;
    expect(error.code).toBe("ERR_LOCK_HELD");
    expect(error.holderPid).toBe(process.pid);
    expect(error.message).toBe(`Run owner ${lockPath} is held by process ${process.pid} on ${os.hostname()}`);
    expect(() => acquireLock(lockPath, { timeoutMs: 0 })).toThrow(LockHeldError);
    held.release();
    acquireLock(lockPath, { timeoutMs: 0 }).release();
  });

  it("reclaims a lock whose holder died", async () => {
    const lockPath = path.join(tempDir(), "x.lock");
    const pid = await deadPid();
    writeHolder(lockPath, { pid });
    expect(isLockStale(lockPath, readLockHolder(lockPath), 30_000)).toBe(true);
    const lock = acquireLock(lockPath, { timeoutMs: 0 });
    expect(readLockHolder(lockPath)?.pid).toBe(process.pid);
    lock.release();
    expect(fs.readdirSync(path.dirname(lockPath))).toEqual([]);
  });

  it("reclaims a lock from another host only once it is older than staleMs", () => {
    const lockPath = path.join(tempDir(), "x.lock");
    writeHolder(lockPath, { pid: process.pid, hostname: "some-other-host" });
    expect(() => acquireLock(lockPath, { timeoutMs: 0, staleMs: 60_000 })).toThrow(
      /process \d+ on some-other-host/,
    );
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(lockPath, old, old);
    const lock = acquireLock(lockPath, { timeoutMs: 0, staleMs: 60_000 });
    expect(readLockHolder(lockPath)?.hostname).toBe(os.hostname());
    lock.release();
  });

  it("treats an unreadable lock file like a foreign one: stale once old", () => {
    const lockPath = path.join(tempDir(), "x.lock");
    fs.writeFileSync(lockPath, "not json");
    expect(readLockHolder(lockPath)).toBeNull();
    expect(() => acquireLock(lockPath, { timeoutMs: 0 })).toThrow(
      "Lock " + lockPath + " is held by another process",
    );
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockPath, old, old);
    acquireLock(lockPath, { timeoutMs: 0, staleMs: 30_000 }).release();
  });

  it("throws PersistenceError when the lock's directory does not exist", () => {
    const lockPath = path.join(tempDir(), "missing", "x.lock");
    expect(() => acquireLock(lockPath)).toThrow(PersistenceError);
    expect(() => acquireLock(lockPath)).toThrow(/Could not create lock/);
  });
});

describe("withLock", () => {
  it("returns the action's value and releases even when the action throws", () => {
    const lockPath = path.join(tempDir(), "x.lock");
    expect(withLock(lockPath, () => 42)).toBe(42);
    expect(() =>
      withLock(lockPath, () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it("excludes other processes: 4 processes × 40 read-modify-writes lose no increment", async () => {
    const directory = tempDir();
    const counter = path.join(directory, "counter.txt");
    const inside = path.join(directory, "inside");
    fs.writeFileSync(counter, "0");
    const script = writeScript(
      directory,
      "increment.mjs",
      `import fs from "node:fs";
import { sleepSync, withLock } from ${JSON.stringify(bundle())};
const [lockPath, counter, inside] = process.argv.slice(2);
for (let round = 0; round < 40; round += 1) {
  withLock(lockPath, () => {
    fs.writeFileSync(inside, String(process.pid), { flag: "wx" }); // throws if another holder is inside
    const value = Number(fs.readFileSync(counter, "utf8"));
    sleepSync(1);
    fs.writeFileSync(counter, String(value + 1));
    fs.rmSync(inside);
  }, { timeoutMs: 60_000 });
}
`,
    );
    const lockPath = path.join(directory, "counter.lock");
    const results = await Promise.all(
      Array.from({ length: 4 }, () => runNode(script, [lockPath, counter, inside])),
    );
    for (const result of results) {
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
    }
    expect(fs.readFileSync(counter, "utf8")).toBe("160");
    expect(fs.readdirSync(directory).sort()).toEqual(["counter.txt", "increment.mjs"]);
  });
});

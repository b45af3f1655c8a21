import fs from "node:fs";
import path from "node:path";
import { PersistenceError } from "@codex/orchestrator-persistence";
import { describe, expect, it, onTestFinished } from "vitest";
import { tempDir } from "../../../test/helpers/temp-dir.js";
import { HEARTBEAT_INTERVAL_SECONDS, HeartbeatWriter } from "./heartbeat-writer.js";

const ISO_LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\n$/;

/** Resolves once `condition` holds, polling; fails the test after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("HeartbeatWriter", () => {
  it("defaults to a beat every 5 seconds", () => {
    expect(HEARTBEAT_INTERVAL_SECONDS).toBe(5);
  });

  it("writes an ISO timestamp and a newline at once, then every interval, calling onBeat", async () => {
    const file = path.join(tempDir(), ".heartbeat");
    const beats: string[] = [];
    const writer = new HeartbeatWriter({
      path: file,
      intervalSeconds: 0.05,
      onBeat: (timestamp) => beats.push(timestamp),
    });
    onTestFinished(() => writer.stop({ final: false }));
    expect(writer.lastBeat).toBeNull();
    writer.start();
    expect(beats).toHaveLength(1);
    expect(fs.readFileSync(file, "utf8")).toMatch(ISO_LINE);
    await waitFor(() => beats.length >= 3);
    expect(fs.readFileSync(file, "utf8")).toBe(`${writer.lastBeat}\n`);
    expect(beats).toContain(writer.lastBeat);
    expect(fs.readdirSync(path.dirname(file))).toEqual([".heartbeat"]);
  });

  it("start() twice does not start a second timer", async () => {
    const file = path.join(tempDir(), ".heartbeat");
    let beats = 0;
    const writer = new HeartbeatWriter({ path: file, intervalSeconds: 3600, onBeat: () => (beats += 1) });
    onTestFinished(() => writer.stop({ final: false }));
    writer.start();
    writer.start();
    expect(beats).toBe(1);
  });

  it("stop() writes a final beat by default and then no more", async () => {
    const file = path.join(tempDir(), ".heartbeat");
    const times = [new Date("2025-10-31T22:56:34.000Z"), new Date("2025-10-31T22:56:39.000Z")];
    let call = 0;
    const beats: string[] = [];
    const writer = new HeartbeatWriter({
      path: file,
      intervalSeconds: 0.05,
      now: () => times[Math.min(call++, times.length - 1)] as Date,
      onBeat: (timestamp) => beats.push(timestamp),
    });
    writer.start();
    writer.stop();
    expect(fs.readFileSync(file, "utf8")).toBe("2025-10-31T22:56:39.000Z\n");
    expect(beats).toEqual(["2025-10-31T22:56:34.000Z", "2025-10-31T22:56:39.000Z"]);
    const count = beats.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(beats).toHaveLength(count);
  });

  it("stop({ final: false }) writes nothing more", () => {
    const file = path.join(tempDir(), ".heartbeat");
    let beats = 0;
    const writer = new HeartbeatWriter({ path: file, intervalSeconds: 3600, onBeat: () => (beats += 1) });
    writer.start();
    writer.stop({ final: false });
    expect(beats).toBe(1);
  });

  it("reports a failing path to onError and never throws, beat after beat", async () => {
    const file = path.join(tempDir(), "missing-dir", ".heartbeat");
    const errors: unknown[] = [];
    let beats = 0;
    const writer = new HeartbeatWriter({
      path: file,
      intervalSeconds: 0.05,
      onError: (error) => errors.push(error),
      onBeat: () => (beats += 1),
    });
    expect(() => writer.start()).not.toThrow();
    await waitFor(() => errors.length >= 3);
    expect(() => writer.stop()).not.toThrow();
    expect(errors[0]).toBeInstanceOf(PersistenceError);
    expect((errors[0] as PersistenceError).message).toContain(file);
    expect(beats).toBe(0);
    expect(writer.lastBeat).toBeNull();
  });

  it("does not throw without onError, and reports a throwing onBeat to onError", () => {
    const file = path.join(tempDir(), "missing-dir", ".heartbeat");
    expect(() => new HeartbeatWriter({ path: file }).beat()).not.toThrow();
    const errors: unknown[] = [];
    const good = path.join(tempDir(), ".heartbeat");
    const writer = new HeartbeatWriter({
      path: good,
      onBeat: () => {
        throw new Error("listener broke");
      },
      onError: (error) => errors.push(error),
    });
    expect(() => writer.beat()).not.toThrow();
    expect(fs.readFileSync(good, "utf8")).toMatch(ISO_LINE);
    expect((errors[0] as Error).message).toBe("listener broke");
  });
});

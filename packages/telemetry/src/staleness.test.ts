import fs from "node:fs";
import path from "node:path";
import { HeartbeatStatus } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/temp-dir.js";
import { HEARTBEAT_STALE_AFTER_SECONDS, assessHeartbeat, readHeartbeatFile } from "./staleness.js";

const NOW = new Date("2025-10-31T23:00:00.000Z");
const secondsAgo = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

describe("assessHeartbeat", () => {
  it("reports the age and the default interval and threshold", () => {
    const status = assessHeartbeat({
      updatedAt: secondsAgo(12.34),
      status: "in_progress",
      ownerAlive: true,
      now: NOW,
    });
    expect(status).toEqual({
      updated_at: secondsAgo(12.34),
      age_seconds: 12.3,
      stale: false,
      interval_seconds: 5,
      stale_after_seconds: 30,
      owner_alive: true,
    });
    expect(HeartbeatStatus.safeParse(status).success).toBe(true);
    expect(HEARTBEAT_STALE_AFTER_SECONDS).toBe(30);
  });

  it("is stale only once the age exceeds 30 seconds", () => {
    expect(
      assessHeartbeat({ updatedAt: secondsAgo(30), status: "in_progress", ownerAlive: null, now: NOW }).stale,
    ).toBe(false);
    expect(
      assessHeartbeat({ updatedAt: secondsAgo(30.1), status: "in_progress", ownerAlive: null, now: NOW })
        .stale,
    ).toBe(true);
    expect(
      assessHeartbeat({ updatedAt: secondsAgo(31), status: "queued", ownerAlive: true, now: NOW }).stale,
    ).toBe(true);
  });

  it("honours a custom threshold and interval", () => {
    const status = assessHeartbeat({
      updatedAt: secondsAgo(11),
      status: "in_progress",
      ownerAlive: true,
      now: NOW,
      staleAfterSeconds: 10,
      intervalSeconds: 2,
    });
    expect(status).toMatchObject({ stale: true, stale_after_seconds: 10, interval_seconds: 2 });
  });

  it("is stale at once when the owner process is dead", () => {
    expect(
      assessHeartbeat({ updatedAt: secondsAgo(1), status: "in_progress", ownerAlive: false, now: NOW }).stale,
    ).toBe(true);
  });

  it("is stale for an active run that never beat", () => {
    expect(
      assessHeartbeat({ updatedAt: null, status: "in_progress", ownerAlive: true, now: NOW }),
    ).toMatchObject({ age_seconds: null, stale: true });
  });

  it.each(["succeeded", "failed", "cancelled", "awaiting_approval"] as const)(
    "is never stale for a %s run",
    (status) => {
      expect(
        assessHeartbeat({ updatedAt: secondsAgo(3600), status, ownerAlive: false, now: NOW }).stale,
      ).toBe(false);
      expect(assessHeartbeat({ updatedAt: null, status, ownerAlive: null, now: NOW }).stale).toBe(false);
    },
  );

  it("clamps a heartbeat from the future to age 0", () => {
    expect(
      assessHeartbeat({ updatedAt: secondsAgo(-5), status: "in_progress", ownerAlive: true, now: NOW })
        .age_seconds,
    ).toBe(0);
  });
});

describe("readHeartbeatFile", () => {
  it("returns the timestamp, or null when the file is absent, empty or garbage", () => {
    const directory = tempDir();
    const file = path.join(directory, ".heartbeat");
    expect(readHeartbeatFile(file)).toBeNull();
    fs.writeFileSync(file, "2025-10-31T22:56:34.431Z\n");
    expect(readHeartbeatFile(file)).toBe("2025-10-31T22:56:34.431Z");
    fs.writeFileSync(file, "");
    expect(readHeartbeatFile(file)).toBeNull();
    fs.writeFileSync(file, "not a time\n");
    expect(readHeartbeatFile(file)).toBeNull();
  });
});

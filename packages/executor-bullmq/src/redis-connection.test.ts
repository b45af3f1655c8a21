import { describe, expect, it } from "vitest";
import { parseRedisUrl, RedisUrlError } from "./redis-connection.js";

describe("parseRedisUrl", () => {
  it("reads host, port, database, ACL user and password, and hides the password when shown", () => {
    const target = parseRedisUrl("redis://ci:p%40ss@redis.internal:6380/2");
    expect(target.options).toEqual({
      host: "redis.internal",
      port: 6380,
      db: 2,
      username: "ci",
      password: "p@ss",
    });
    expect(target.display).toBe("redis://ci:***@redis.internal:6380/2");
  });

  it("turns rediss:// into TLS for the host", () => {
    expect(parseRedisUrl("rediss://:secret@cache.example.com").options).toEqual({
      host: "cache.example.com",
      port: 6379,
      db: 0,
      password: "secret",
      tls: { servername: "cache.example.com" },
    });
  });

  it("reads a unix socket path, with a password and database as query parameters", () => {
    const target = parseRedisUrl("unix:///tmp/r.sock?password=pw&db=3");
    expect(target.options).toEqual({ path: "/tmp/r.sock", db: 3, password: "pw" });
    expect(target.display).not.toContain("pw&");
  });

  it("refuses what is not a Redis URL", () => {
    for (const text of ["localhost:6379", "http://example.com/", "redis://host/x"])
      expect(() => parseRedisUrl(text), text).toThrow(RedisUrlError);
  });
});

import { describe, expect, it } from "vitest";
import { safeParseConfig, type Stage } from "@codex/orchestrator-schema";
import { stageCacheSpec, withCacheDefaults } from "./stage-cache-spec.js";

const stage = (cache: unknown): Stage =>
  ({ kind: "command", id: "build", title: "Build", command: "make", cache }) as Stage;

describe("withCacheDefaults", () => {
  it("fills each field the stage leaves out from the nearest default that sets it", () => {
    const resolved = withCacheDefaults(stage({ outputs: ["out/**"] }), [
      { env: ["A"] },
      { inputs: ["lib/**"], env: ["B"], maxSize: "1GB" },
    ]);
    expect(resolved.kind === "command" && resolved.cache).toEqual({
      inputs: ["lib/**"],
      outputs: ["out/**"],
      env: ["A"],
    });
    const all = withCacheDefaults(stage(true), []);
    expect(all.kind === "command" && all.cache).toEqual({ inputs: ["**/*"], outputs: [], env: [] });
  });

  it("leaves stages without cache, or with cache: false, uncached whatever the defaults say", () => {
    expect(withCacheDefaults(stage(undefined), [{ inputs: ["x"] }])).toEqual(stage(undefined));
    expect(stageCacheSpec(withCacheDefaults(stage(false), [{ inputs: ["x"] }]), false).spec).toBeNull();
  });

  it("never caches a guardrail unless reuseGuardrail is set", () => {
    expect(stageCacheSpec(stage({}), true)).toMatchObject({
      spec: null,
      reason: expect.stringMatching(/guardrail/),
    });
    expect(stageCacheSpec(stage({ reuseGuardrail: true }), true).spec).toMatchObject({
      reuseGuardrail: true,
    });
  });
});

describe("the cache config", () => {
  it("refuses unknown fields, sizes that are not sizes and NUL bytes, naming where", () => {
    const config = (cache: unknown, stageCache: unknown = true) => ({
      cache,
      pipelines: [{ id: "p", title: "P", stages: [{ ...stage(stageCache) }] }],
    });
    expect(safeParseConfig(config({ maxSize: "2GiB" })).ok).toBe(true);
    expect(safeParseConfig(config({ maxSize: 1024 })).ok).toBe(true);
    const badSize = safeParseConfig(config({ maxSize: "lots" }));
    expect(!badSize.ok && badSize.error.message).toMatch(/cache\.maxSize/);
    const unknown = safeParseConfig(config({}, { inputs: ["a"], output: ["b"] }));
    expect(!unknown.ok && unknown.error.message).toMatch(/pipelines\[0\]\.stages\[0\]\.cache/);
    expect(safeParseConfig(config({}, { inputs: ["a\0"] })).ok).toBe(false);
  });
});

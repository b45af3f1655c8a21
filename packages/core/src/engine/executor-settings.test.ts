import { describe, expect, it } from "vitest";
import { ExecutorSettingsError, resolveExecutorSettings } from "./executor-settings.js";

describe("resolveExecutorSettings", () => {
  it("is local with nothing set", () => {
    expect(resolveExecutorSettings({ flag: undefined, env: {}, config: undefined })).toEqual({
      kind: "local",
    });
  });

  it("takes the flag over the environment over the config", () => {
    const env = { CODEX_ORCHESTRATOR_EXECUTOR: "local", CODEX_ORCHESTRATOR_REDIS_URL: "redis://h" };
    const config = { kind: "bullmq" as const, queue: "from-config", unavailableAfterSeconds: 5 };
    expect(resolveExecutorSettings({ flag: undefined, env, config })).toEqual({ kind: "local" });
    expect(resolveExecutorSettings({ flag: "bullmq", env, config })).toEqual({
      kind: "bullmq",
      redisUrl: "redis://h",
      queue: "from-config",
      unavailableAfterMs: 5_000,
    });
    expect(
      resolveExecutorSettings({ flag: undefined, env: { CODEX_ORCHESTRATOR_REDIS_URL: "redis://h" }, config })
        .kind,
    ).toBe("bullmq");
  });

  it("refuses an unknown executor, a missing Redis URL and a bad queue name as usage errors", () => {
    const cases = [
      { flag: "ssh", env: {} },
      { flag: "bullmq", env: {} },
      { flag: "bullmq", env: { CODEX_ORCHESTRATOR_REDIS_URL: "redis://h", CODEX_ORCHESTRATOR_QUEUE: "a:b" } },
    ];
    for (const { flag, env } of cases) {
      let error: unknown = null;
      try {
        resolveExecutorSettings({ flag, env, config: undefined });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ExecutorSettingsError);
      expect((error as ExecutorSettingsError).usage).toBe(true);
    }
  });
});

import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readNdjson, runCli } from "../helpers/cli.js";
import { command, pipeline, snapshotTree, spawnCliAsync, stackLines, tempRepo, waitFor } from "./support.js";

const one = (extra: Record<string, unknown>) => ({
  defaultPipeline: "p",
  pipelines: [pipeline("p", [command("a", "true", extra)])],
});

/** Config values a process or a timer cannot take: one line, exit 2, nothing written. */
const CASES: { name: string; config: unknown; expected: string }[] = [
  {
    name: "a NUL byte in the command",
    config: { defaultPipeline: "p", pipelines: [pipeline("p", [command("a", "echo a\u0000b")])] },
    expected: "pipelines[0].stages[0].command: must not contain a NUL byte",
  },
  {
    name: "a NUL byte in an env value",
    config: one({ env: { A: "x\u0000y" } }),
    expected: "pipelines[0].stages[0].env.A: must not contain a NUL byte",
  },
  {
    name: "an empty env name",
    config: one({ env: { "": "x" } }),
    expected: `pipelines[0].stages[0].env[""]: environment variable names must be non-empty and contain neither '=' nor a NUL byte`,
  },
  {
    name: "an env name holding '='",
    config: one({ env: { "A=B": "x" } }),
    expected: `pipelines[0].stages[0].env["A=B"]: environment variable names must be non-empty`,
  },
  {
    name: "a NUL byte in cwd",
    config: one({ cwd: "a\u0000b" }),
    expected: "pipelines[0].stages[0].cwd: must not contain a NUL byte",
  },
  {
    name: "timeoutSeconds of 25 days",
    config: one({ timeoutSeconds: 25 * 86_400 }),
    expected: "pipelines[0].stages[0].timeoutSeconds: must be at most 2147483",
  },
  {
    name: "timeoutSeconds 1e308",
    config: one({ timeoutSeconds: 1e308 }),
    expected: "pipelines[0].stages[0].timeoutSeconds: must be at most 2147483",
  },
  {
    name: "retryBackoffSeconds 1e308",
    config: one({ retries: 1, retryBackoffSeconds: 1e308 }),
    expected: "pipelines[0].stages[0].retryBackoffSeconds: must be at most 2147483",
  },
];

describe("values a process or a timer cannot take", () => {
  it.each(CASES)("$name: one line, exit 2, nothing written", ({ config, expected }) => {
    const root = tempRepo(config);
    const before = snapshotTree(root);
    for (const args of [["start"], ["plan"]]) {
      const result = runCli(root, args);
      expect(result.status).toBe(2);
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(expected);
      expect(stackLines(result.stderr)).toEqual([]);
    }
    expect(existsSync(path.join(root, ".runs", "0101"))).toBe(false);
    expect(existsSync(path.join(root, "out"))).toBe(false);
    expect(snapshotTree(root).filter((entry) => !entry.includes(".runs"))).toEqual(
      before.filter((entry) => !entry.includes(".runs")),
    );
  });

  it.each(["1e308", "2147484", "Infinity"])("status --watch --interval %s: one line, exit 2", (interval) => {
    const root = tempRepo(one({}));
    const result = runCli(root, ["status", "--latest", "--watch", "--interval", interval], {
      timeoutMs: 10_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(
      /--interval must be (at most 2147483 seconds|a positive number of seconds)/,
    );
  });

  it("the largest accepted values wait: a stage neither times out nor retries at once", async () => {
    const root = tempRepo({
      defaultPipeline: "p",
      pipelines: [
        pipeline("p", [
          command("slow", "sleep 0.3", { timeoutSeconds: 2_147_483 }),
          command("retry", "exit 3", { retries: 2, retryBackoffSeconds: 2_147_483 }),
        ]),
      ],
    });
    const run = spawnCliAsync(root, ["start"]);
    const runsDir = path.join(root, ".runs/0101/cli");
    let log = "";
    try {
      // The first attempt of `retry` ends; a backoff that overflowed would start the second at once.
      expect(
        await waitFor(() => {
          if (!existsSync(runsDir)) return false;
          const events = runEvents(root);
          log = JSON.stringify(events);
          return events.some((event) => event.type === "command:end" && event.index === 2);
        }, 15_000),
      ).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const events = runEvents(root);
      // `slow` ran to its end (no instant timeout); `retry` is waiting, not on its second attempt.
      expect(
        events.find(
          (event) => event.index === 1 && event.type === "stage:status" && event.status === "succeeded",
        ),
      ).toBeDefined();
      expect(events.filter((event) => event.type === "command:start" && event.index === 2)).toHaveLength(1);
    } finally {
      run.process.kill("SIGTERM");
    }
    const finished = await run.finished;
    expect(finished.status, log).toBe(143);
  }, 30_000);
});

function runEvents(root: string): { type: string; index: number | null; status?: string }[] {
  const runsDir = path.join(root, ".runs/0101/cli");
  const runId = readdirSync(runsDir)[0];
  if (runId === undefined || !existsSync(path.join(runsDir, runId, "runner.ndjson"))) return [];
  return readNdjson(root, `.runs/0101/cli/${runId}/runner.ndjson`);
}

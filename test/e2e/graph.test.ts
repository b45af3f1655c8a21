import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readNdjson, runCli, runCliJson } from "../helpers/cli.js";
import {
  command,
  expectCompleteRunArtifacts,
  expectNoRuns,
  pipeline,
  readManifest,
  startJson,
  tempRepo,
  type EventLine,
} from "./support.js";

/**
 * A stage that stamps its start and end (nanoseconds) in `times/` around a half-second sleep. Before
 * sleeping it waits (at most 5 s) until `$WAIT_FOR_STARTS` stages have started, so that the stages a
 * limit lets run together do overlap however slowly a loaded machine starts them; a scheduler that
 * runs fewer at once only makes it wait the 5 s out.
 */
function stamped(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return command(
    id,
    [
      `mkdir -p times && date +%s%N > times/${id}.start`,
      `i=0; while [ "$(ls times | grep -c '[.]start$')" -lt "\${WAIT_FOR_STARTS:-1}" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done`,
      `sleep 0.5 && date +%s%N > times/${id}.end`,
    ].join("; "),
    extra,
  );
}

interface Interval {
  id: string;
  start: bigint;
  end: bigint;
}

function readIntervals(root: string, ids: readonly string[]): Interval[] {
  const read = (file: string) => BigInt(readFileSync(path.join(root, "times", file), "utf8").trim());
  return ids.map((id) => ({ id, start: read(`${id}.start`), end: read(`${id}.end`) }));
}

/** The most intervals open at once; one that ends when another starts does not overlap it. */
function maxOverlap(intervals: readonly Interval[]): number {
  const points = intervals
    .flatMap((interval) => [
      { at: interval.start, delta: 1 },
      { at: interval.end, delta: -1 },
    ])
    .sort((left, right) => (left.at === right.at ? left.delta - right.delta : left.at < right.at ? -1 : 1));
  let open = 0;
  let most = 0;
  for (const point of points) {
    open += point.delta;
    most = Math.max(most, open);
  }
  return most;
}

/** How many `command:start` lines runner.ndjson has for each stage index. */
function commandStarts(root: string, logPath: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of readNdjson<EventLine>(root, logPath)) {
    if (line.type === "command:start")
      counts.set(line.index as number, (counts.get(line.index as number) ?? 0) + 1);
  }
  return counts;
}

function statuses(root: string, manifestPath: string): [string, string, string | null][] {
  return readManifest(root, manifestPath).commands.map((entry) => [
    entry.id,
    entry.status,
    entry.status_detail ?? null,
  ]);
}

const WIDE_IDS = ["w1", "w2", "w3", "w4"];
const WIDE_CONFIG = {
  pipelines: [
    pipeline(
      "wide",
      WIDE_IDS.map((id) => stamped(id, { needs: [] })),
    ),
    pipeline(
      "chain",
      WIDE_IDS.map((id) => stamped(id)),
    ),
  ],
};

describe("stage graph: concurrency", () => {
  it.each([2, 4])("runs independent stages side by side, at most --concurrency %i at once", (limit) => {
    const root = tempRepo(WIDE_CONFIG);
    const result = startJson(root, ["wide", "--concurrency", String(limit)], {
      env: { WAIT_FOR_STARTS: String(limit) },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(maxOverlap(readIntervals(root, WIDE_IDS))).toBe(limit);
    const manifest = expectCompleteRunArtifacts(root, result.json.manifest);
    expect(manifest.concurrency).toBe(limit);
    expect(manifest.continue_on_failure).toBe(false);
    expect(manifest.commands.map((entry) => [entry.id, entry.status, entry.needs])).toEqual(
      WIDE_IDS.map((id) => [id, "succeeded", []]),
    );
  });

  it("runs a pipeline without needs strictly in order, whatever the limit", () => {
    const root = tempRepo(WIDE_CONFIG);
    const result = startJson(root, ["chain", "--concurrency", "4"]);
    expect(result.status, result.stderr).toBe(0);
    const intervals = readIntervals(root, WIDE_IDS);
    expect(maxOverlap(intervals)).toBe(1);
    for (let position = 1; position < intervals.length; position += 1) {
      expect((intervals[position] as Interval).start).toBeGreaterThanOrEqual(
        (intervals[position - 1] as Interval).end,
      );
    }
    const manifest = readManifest(root, result.json.manifest);
    expect(manifest.commands.map((entry) => entry.needs)).toEqual([[], ["w1"], ["w2"], ["w3"]]);
  });
});

describe("stage graph: failures", () => {
  it("fail-fast: the first failure stops a running sibling with SIGTERM and runs nothing more", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("fast", [
          // a fails once b is up and has set its trap.
          command(
            "a",
            "for i in $(seq 1 300); do [ -f b.ready ] && break; sleep 0.05; done; echo failing; exit 1",
            {
              needs: [],
            },
          ),
          command("b", "trap 'echo term > b.term; exit 143' TERM; echo ready > b.ready; sleep 30 & wait $!", {
            needs: [],
          }),
          command("e", "echo e > e.txt", { needs: [] }),
          command("c", "echo c > c.txt", { needs: ["b"] }),
          command("d", "echo d > d.txt", { needs: ["a"] }),
        ]),
      ],
    });
    const startedAt = Date.now();
    const result = startJson(root, ["fast", "--concurrency", "2"]);
    const seconds = (Date.now() - startedAt) / 1000;
    expect(result.status, result.stderr).toBe(1);
    expect(seconds).toBeLessThan(15);
    expect(result.json).toMatchObject({ status: "failed", status_detail: "stage:a:failed" });
    expect(existsSync(path.join(root, "b.term")), "b's TERM trap ran").toBe(true);
    expect(readFileSync(path.join(root, "b.term"), "utf8")).toBe("term\n");
    expectCompleteRunArtifacts(root, result.json.manifest);
    expect(statuses(root, result.json.manifest)).toEqual([
      ["a", "failed", null],
      ["b", "failed", "stopped: stage a failed"],
      ["e", "pending", "not run: stage a failed"],
      ["c", "pending", "not run: needs b (failed)"],
      ["d", "pending", "not run: needs a (failed)"],
    ]);
    for (const file of ["c.txt", "d.txt", "e.txt"]) expect(existsSync(path.join(root, file))).toBe(false);
    // The progress lines and status say why b ended, and the last lines shown are a's, the first failure.
    expect(result.stderr).toMatch(/✖ \[2\] b stopped: stage a failed/);
    expect(result.stderr).toMatch(/Last lines of a:\n {2}failing/);
    const status = runCli(root, ["status", result.json.run_id]);
    expect(status.stdout).toMatch(/ 2 b +failed .*\(stopped: stage a failed\)/);
    expect(status.stdout).toMatch(/ 5 d +pending +\(not run: needs a \(failed\)\)/);
  });

  it("status names the stage the run failed on, not an earlier one it stopped", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("late", [
          command("slow", "sleep 30", { needs: [] }),
          command("boom", "echo broken; exit 4", { needs: [] }),
        ]),
      ],
    });
    const result = startJson(root, ["late", "--concurrency", "2"]);
    expect(result.json).toMatchObject({ status: "failed", status_detail: "stage:boom:failed" });
    const status = runCliJson<{ failure: { stage_id: string; exit_code: number } }>(root, [
      "status",
      result.json.run_id,
    ]);
    expect(status.json.failure).toMatchObject({ stage_id: "boom", exit_code: 4 });
  });

  it("--continue: the independent branch finishes; what needs the failed stage is not run", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("branches", [
          command("a", "echo broken; exit 1", { needs: [] }),
          command("b", "sleep 0.3; echo b > b.txt", { needs: [] }),
          command("after-a", "echo x > after-a.txt", { needs: ["a"] }),
          command("after-b", "echo y > after-b.txt", { needs: ["b"] }),
        ]),
      ],
    });
    const result = startJson(root, ["branches", "--continue"]);
    expect(result.status, result.stderr).toBe(1);
    expect(result.json).toMatchObject({ status: "failed", status_detail: "stage:a:failed" });
    const manifest = expectCompleteRunArtifacts(root, result.json.manifest);
    expect(manifest.continue_on_failure).toBe(true);
    expect(statuses(root, result.json.manifest)).toEqual([
      ["a", "failed", null],
      ["b", "succeeded", null],
      ["after-a", "pending", "not run: needs a (failed)"],
      ["after-b", "succeeded", null],
    ]);
    expect(existsSync(path.join(root, "after-b.txt"))).toBe(true);
    expect(existsSync(path.join(root, "after-a.txt"))).toBe(false);
  });

  it("resume re-runs exactly the failed and not-run stages; stage files keep the pipeline position", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("partial", [
          command("one", "echo one", { needs: ["three"] }),
          command("two", "test -f fixed || { echo not fixed; exit 3; }; echo two", { needs: ["three"] }),
          command("three", "echo three", { needs: [] }),
          command("four", "echo four", { needs: ["two"] }),
          command("five", "echo five", { needs: ["one"] }),
        ]),
      ],
    });
    const first = startJson(root, ["partial", "--continue"]);
    expect(first.status, first.stderr).toBe(1);
    const manifestPath = first.json.manifest;
    expect(statuses(root, manifestPath)).toEqual([
      ["one", "succeeded", null],
      ["two", "failed", null],
      ["three", "succeeded", null],
      ["four", "pending", "not run: needs two (failed)"],
      ["five", "succeeded", null],
    ]);
    // The third stage ran first, and its file is still 03-.
    const firstStart = readNdjson<EventLine>(root, first.json.log_path).find(
      (line) => line.type === "command:start",
    );
    expect(firstStart?.index).toBe(3);
    const runDir = path.join(root, first.json.artifact_root);
    expect(existsSync(path.join(runDir, "commands", "03-three.ndjson"))).toBe(true);
    expect(
      readManifest(root, manifestPath).commands.map((entry) => path.basename(entry.log_path ?? "")),
    ).toEqual(["01-one.ndjson", "02-two.ndjson", "03-three.ndjson", "04-four.ndjson", "05-five.ndjson"]);

    writeFileSync(path.join(root, "fixed"), "");
    const resumed = runCliJson<{ status: string; exit_code: number }>(root, ["resume", first.json.run_id]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.json.status).toBe("succeeded");
    expect(statuses(root, manifestPath).map(([id, status]) => [id, status])).toEqual([
      ["one", "succeeded"],
      ["two", "succeeded"],
      ["three", "succeeded"],
      ["four", "succeeded"],
      ["five", "succeeded"],
    ]);
    expect(Object.fromEntries(commandStarts(root, first.json.log_path))).toEqual({
      1: 1,
      2: 2,
      3: 1,
      4: 1,
      5: 1,
    });
    expectCompleteRunArtifacts(root, manifestPath);
  });

  it("resume without flags keeps the run's --concurrency and --continue", () => {
    const stampedUnless = (id: string, file: string) =>
      command(
        id,
        `mkdir -p times && date +%s%N > times/${id}.start && sleep 0.5 && date +%s%N > times/${id}.end && test -f ${file}`,
        { needs: [] },
      );
    const root = tempRepo({
      pipelines: [
        pipeline("kept", [
          stampedUnless("a", "fixed-a"),
          stampedUnless("b", "fixed-b"),
          command("c", "echo c > c.txt", { needs: ["b"] }),
        ]),
      ],
    });
    const first = startJson(root, ["kept", "--continue", "--concurrency", "1"]);
    expect(first.status, first.stderr).toBe(1);
    expect(statuses(root, first.json.manifest)).toEqual([
      ["a", "failed", null],
      ["b", "failed", null],
      ["c", "pending", "not run: needs b (failed)"],
    ]);

    // a still fails; b is fixed. Run on after a's failure, one stage at a time, as the run was started.
    writeFileSync(path.join(root, "fixed-b"), "");
    const resumed = runCliJson<{ status: string }>(root, ["resume", first.json.run_id]);
    expect(resumed.status, resumed.stderr).toBe(1);
    expect(statuses(root, first.json.manifest)).toEqual([
      ["a", "failed", null],
      ["b", "succeeded", null],
      ["c", "succeeded", null],
    ]);
    expect(maxOverlap(readIntervals(root, ["a", "b"]))).toBe(1);
    const manifest = readManifest(root, first.json.manifest);
    expect(manifest).toMatchObject({ concurrency: 1, continue_on_failure: true });
  });
});

describe("stage graph: a gate in one branch", () => {
  it("pauses (exit 3) only once the other branch finished; approve and resume run what needs the gate", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("gated", [
          { kind: "manual", id: "gate", title: "Gate", instructions: "Look first", needs: [] },
          command("ship", "echo shipped > ship.txt", { needs: ["gate"] }),
          command("build", "sleep 0.5; echo built > build.txt", { needs: [] }),
          command("test", "sleep 0.3; echo tested > test.txt", { needs: ["build"] }),
        ]),
      ],
    });
    const paused = startJson(root, ["gated", "--approval-policy", "pause"]);
    expect(paused.status, paused.stderr).toBe(3);
    expect(paused.json.status).toBe("awaiting_approval");
    const manifestPath = paused.json.manifest;
    expect(statuses(root, manifestPath).map(([id, status]) => [id, status])).toEqual([
      ["gate", "pending"],
      ["ship", "pending"],
      ["build", "succeeded"],
      ["test", "succeeded"],
    ]);
    expect(readManifest(root, manifestPath).commands[1]?.status_detail).toBe(
      "not run: needs gate (awaiting approval)",
    );
    expect(existsSync(path.join(root, "test.txt"))).toBe(true);
    expect(existsSync(path.join(root, "ship.txt"))).toBe(false);
    // The run paused after the command branch ended, not when the gate was reached.
    const lines = readNdjson<EventLine>(root, paused.json.log_path);
    const testDone = lines.findIndex(
      (line) => line.type === "stage:status" && line.index === 4 && line.status === "succeeded",
    );
    const runEnd = lines.findIndex((line) => line.type === "run:end");
    expect(testDone).toBeGreaterThan(-1);
    expect(runEnd).toBeGreaterThan(testDone);
    expect(lines[runEnd]).toMatchObject({ status: "awaiting_approval" });

    const approved = runCli(root, ["approve", paused.json.run_id, "--stage", "gate", "--actor", "t"]);
    expect(approved.status, approved.stderr).toBe(0);
    const resumed = runCliJson<{ status: string }>(root, ["resume", paused.json.run_id]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.json.status).toBe("succeeded");
    expect(readFileSync(path.join(root, "ship.txt"), "utf8")).toBe("shipped\n");
    const manifest = expectCompleteRunArtifacts(root, manifestPath);
    expect(manifest.commands.every((entry) => entry.status === "succeeded")).toBe(true);
    expect(manifest.approvals).toMatchObject([{ stage_id: "gate", actor: "t", decision: "approved" }]);
    // The command branch did not run again.
    expect(Object.fromEntries(commandStarts(root, paused.json.log_path))).toEqual({ 2: 1, 3: 1, 4: 1 });
  });
});

describe("stage graph: config errors and arguments", () => {
  const badConfig = {
    pipelines: [
      pipeline("unknown", [
        command("a", "echo a > a.txt", { needs: [] }),
        command("b", "echo b", { needs: ["nope"] }),
      ]),
      pipeline("cycle", [
        command("x", "echo x > x.txt", { needs: ["z"] }),
        command("y", "echo y", { needs: ["x"] }),
        command("z", "echo z", { needs: ["y"] }),
        command("free", "echo free > free.txt", { needs: [] }),
      ]),
    ],
  };

  it.each([
    ["unknown", /stage "b" of pipeline "unknown" needs "nope", which is not one of its stages/],
    ["cycle", /Stages of pipeline "cycle" need each other in a cycle: x → y → z → x/],
  ])(
    "refuses pipeline %s with exit 2, one line naming the stages, and writes nothing",
    (pipelineId, message) => {
      const root = tempRepo(badConfig);
      for (const args of [
        ["start", pipelineId],
        ["plan", pipelineId, "--format", "json"],
      ]) {
        const result = runCli(root, args);
        expect(result.status, result.stderr).toBe(2);
        expect(result.stdout).toBe("");
        const lines = result.stderr.trim().split("\n");
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(message);
      }
      expectNoRuns(root);
      expect(existsSync(path.join(root, ".runs"))).toBe(false);
      for (const file of ["a.txt", "x.txt", "free.txt"])
        expect(existsSync(path.join(root, file))).toBe(false);
    },
  );

  it.each(["0", "abc"])("refuses --concurrency %s with exit 2 and writes nothing", (value) => {
    const root = tempRepo(WIDE_CONFIG);
    for (const subcommand of ["start", "resume"]) {
      const args =
        subcommand === "start"
          ? ["start", "wide", "--concurrency", value]
          : ["resume", "2025-01-01T00-00-00-000Z-00000000", "--concurrency", value];
      const result = runCli(root, args);
      expect(result.status, `${subcommand}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain("--concurrency");
    }
    expectNoRuns(root);
    expect(existsSync(path.join(root, "times"))).toBe(false);
  });

  it("plan --format json shows each stage's needs and wave, and the waves", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("graph", [
          command("lint", "echo lint", { needs: [] }),
          command("unit", "echo unit", { needs: [] }),
          command("build", "echo build", { needs: ["lint", "unit"] }),
          command("docs", "echo docs", { needs: ["lint"] }),
          command("publish", "echo publish"),
        ]),
      ],
    });
    const plan = runCliJson<{
      stages: { id: string; needs: string[]; wave: number }[];
      waves: string[][];
    }>(root, ["plan", "graph"]);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.json.stages.map((stage) => [stage.id, stage.needs, stage.wave])).toEqual([
      ["lint", [], 1],
      ["unit", [], 1],
      ["build", ["lint", "unit"], 2],
      ["docs", ["lint"], 2],
      ["publish", ["docs"], 3],
    ]);
    expect(plan.json.waves).toEqual([["lint", "unit"], ["build", "docs"], ["publish"]]);
    expectNoRuns(root);
  });
});

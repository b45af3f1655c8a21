import type { Stage } from "@codex/orchestrator-schema";
import { describe, expect, it } from "vitest";
import { buildStageGraph } from "./stage-graph.js";
import {
  runStageGraph,
  SiblingFailure,
  type ScheduledOutcome,
  type ScheduleResult,
} from "./stage-scheduler.js";

/** How the fake stage `id` behaves: how long it takes, and how it ends. */
interface Script {
  /** Milliseconds until it ends on its own (default 10). */
  ms?: number;
  /** How it ends on its own (default succeeded). */
  outcome?: ScheduledOutcome;
  /** Rejects with this instead of ending. */
  throws?: Error;
  /** Milliseconds it takes to wind down once stopped (default 5). */
  stopMs?: number;
}

interface LogLine {
  event: "start" | "end";
  id: string;
  at: number;
}

const SUCCEEDED: ScheduledOutcome = { status: "succeeded", detail: null };

function failed(id: string): ScheduledOutcome {
  return { status: "failed", detail: `stage:${id}:failed` };
}

/** A pipeline of command stages: `[id, needs]` pairs (needs undefined: the stage before it). */
function pipelineOf(spec: [string, string[]?][]) {
  const stages: Stage[] = spec.map(([id, needs]) => ({
    kind: "command",
    id,
    title: id,
    command: `echo ${id}`,
    ...(needs === undefined ? {} : { needs }),
  }));
  const graph = buildStageGraph(
    "demo",
    stages.map((stage, position) => ({ index: position + 1, stage, origin: `stages[${position}]` })),
  );
  const ids = new Map(stages.map((stage, position) => [position + 1, stage.id]));
  const indexOf = new Map(stages.map((stage, position) => [stage.id, position + 1]));
  return { graph, ids, indexOf };
}

/**
 * Runs a stage graph with fake stages that end on timers. Each stage logs its start and end, and
 * ends early (status cancelled) when its stop signal fires, remembering the signal's reason.
 */
async function schedule(options: {
  spec: [string, string[]?][];
  scripts?: Record<string, Script>;
  concurrency?: number;
  continueOnFailure?: boolean;
  done?: string[];
  abortSignal?: AbortSignal;
}) {
  const { graph, ids, indexOf } = pipelineOf(options.spec);
  const scripts = options.scripts ?? {};
  const log: LogLine[] = [];
  const stopReasons = new Map<string, unknown>();
  const origin = performance.now();
  const now = () => performance.now() - origin;
  const runStage = (index: number, stop: AbortSignal) =>
    new Promise<ScheduledOutcome>((resolve, reject) => {
      const id = ids.get(index) as string;
      const script = scripts[id] ?? {};
      log.push({ event: "start", id, at: now() });
      const end = (action: () => void) => {
        log.push({ event: "end", id, at: now() });
        action();
      };
      const onStop = () => {
        clearTimeout(timer);
        stopReasons.set(id, stop.reason);
        setTimeout(
          () => end(() => resolve({ status: "cancelled", detail: `${id} stopped` })),
          script.stopMs ?? 5,
        );
      };
      const timer = setTimeout(() => {
        stop.removeEventListener("abort", onStop);
        end(() =>
          script.throws === undefined ? resolve(script.outcome ?? SUCCEEDED) : reject(script.throws),
        );
      }, script.ms ?? 10);
      if (stop.aborted) onStop();
      else stop.addEventListener("abort", onStop, { once: true });
    });
  const started = now();
  const promise = runStageGraph({
    graph,
    ids,
    done: new Set((options.done ?? []).map((id) => indexOf.get(id) as number)),
    concurrency: options.concurrency ?? 4,
    continueOnFailure: options.continueOnFailure ?? false,
    abortSignal: options.abortSignal ?? new AbortController().signal,
    runStage,
  });
  const settle = async (): Promise<{ result: ScheduleResult; elapsed: number; settledAt: number }> => {
    const result = await promise;
    return { result, elapsed: now() - started, settledAt: now() };
  };
  return {
    promise,
    settle,
    log,
    stopReasons,
    now,
    indexOf,
    /** Ids in the order they started. */
    startOrder: () => log.filter((line) => line.event === "start").map((line) => line.id),
    /** When `id` ended (its last end), or undefined. */
    endOf: (id: string) => log.findLast((line) => line.event === "end" && line.id === id)?.at,
    /** Not-run reasons by stage id. */
    notRunById: (result: ScheduleResult) =>
      Object.fromEntries([...result.notRun].map(([index, reason]) => [ids.get(index), reason])),
  };
}

/** The most stages that were running at once, from the start/end log in the order it happened. */
function maxOverlap(log: readonly LogLine[]): number {
  let running = 0;
  let most = 0;
  for (const line of log) {
    running += line.event === "start" ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

/** The most stages running at once by their start/end times (an end at the same time as a start frees its slot first). */
function maxOverlapByTime(log: readonly LogLine[]): number {
  const points = log
    .map((line) => ({ at: line.at, delta: line.event === "start" ? 1 : -1 }))
    .sort((left, right) => left.at - right.at || left.delta - right.delta);
  let running = 0;
  let most = 0;
  for (const point of points) {
    running += point.delta;
    most = Math.max(most, running);
  }
  return most;
}

const WIDE: [string, string[]?][] = Array.from({ length: 9 }, (_, position) => [`s${position + 1}`, []]);

describe("runStageGraph: order and concurrency", () => {
  it("starts ready stages in pipeline order, a stage made ready later taking its place by position", async () => {
    // late (2) needs c (3); a, c and d are ready at once. With one slot: a, c, then late (ready
    // once c succeeded, and before d by position), then d.
    const run = await schedule({
      spec: [
        ["a", []],
        ["late", ["c"]],
        ["c", []],
        ["d", []],
      ],
      concurrency: 1,
    });
    const { result } = await run.settle();
    expect(result).toEqual({ status: "succeeded", detail: null, notRun: new Map() });
    expect(run.startOrder()).toEqual(["a", "c", "late", "d"]);
  });

  it("runs a pipeline without needs strictly in order, one at a time, whatever the limit", async () => {
    const run = await schedule({ spec: [["a"], ["b"], ["c"], ["d"]], concurrency: 8 });
    const { result } = await run.settle();
    expect(result.status).toBe("succeeded");
    expect(run.log.map((line) => `${line.event}:${line.id}`)).toEqual([
      "start:a",
      "end:a",
      "start:b",
      "end:b",
      "start:c",
      "end:c",
      "start:d",
      "end:d",
    ]);
  });

  it.each([1, 2, 3])(
    "never runs more than %i stages at once on a wide graph, and uses every slot",
    async (limit) => {
      // Different durations, so slots free up at different times.
      const scripts = Object.fromEntries(
        WIDE.map(([id], position) => [id, { ms: 15 + ((position * 7) % 4) * 10 }]),
      );
      const run = await schedule({ spec: WIDE, scripts, concurrency: limit });
      const { result } = await run.settle();
      expect(result.status).toBe("succeeded");
      expect(run.startOrder()).toEqual(WIDE.map(([id]) => id));
      expect(run.log.filter((line) => line.event === "end")).toHaveLength(WIDE.length);
      expect(maxOverlap(run.log)).toBe(limit);
      expect(maxOverlapByTime(run.log)).toBe(limit);
    },
  );

  it("treats a concurrency below one as one", async () => {
    const run = await schedule({ spec: WIDE.slice(0, 4), concurrency: 0 });
    await run.settle();
    expect(maxOverlap(run.log)).toBe(1);
  });

  it("counts a skipped stage as done for what needs it", async () => {
    const run = await schedule({
      spec: [
        ["a", []],
        ["b", ["a"]],
      ],
      scripts: { a: { outcome: { status: "skipped", detail: null } } },
    });
    const { result } = await run.settle();
    expect(result.status).toBe("succeeded");
    expect(run.startOrder()).toEqual(["a", "b"]);
  });

  it("does not run again the stages in `done` (a resume), and starts what needs them at once", async () => {
    const run = await schedule({
      spec: [["a", []], ["b"], ["c"], ["d", ["a"]]],
      done: ["a", "b"],
      concurrency: 1,
    });
    const { result } = await run.settle();
    expect(result).toEqual({ status: "succeeded", detail: null, notRun: new Map() });
    expect(run.startOrder()).toEqual(["c", "d"]);
  });
});

describe("runStageGraph: failures", () => {
  it("fail-fast: the first failure stops the running siblings with SiblingFailure and starts nothing new", async () => {
    // a fails quickly while b and c run long; d (independent) waits for a slot; e needs b.
    const run = await schedule({
      spec: [
        ["a", []],
        ["b", []],
        ["c", []],
        ["d", []],
        ["e", ["b"]],
      ],
      scripts: {
        a: { ms: 20, outcome: failed("a") },
        b: { ms: 20_000 },
        c: { ms: 20_000, stopMs: 30 },
      },
      concurrency: 3,
    });
    const { result, elapsed } = await run.settle();
    expect(elapsed).toBeLessThan(5_000);
    expect(result.status).toBe("failed");
    expect(result.detail).toBe("stage:a:failed");
    expect(run.startOrder()).toEqual(["a", "b", "c"]);
    for (const id of ["b", "c"]) {
      const reason = run.stopReasons.get(id);
      expect(reason).toBeInstanceOf(SiblingFailure);
      expect((reason as SiblingFailure).stageId).toBe("a");
    }
    expect(run.stopReasons.has("a")).toBe(false);
    // The run waited for every stopped stage to wind down.
    expect(
      run.log
        .filter((line) => line.event === "end")
        .map((line) => line.id)
        .sort(),
    ).toEqual(["a", "b", "c"]);
    expect(run.notRunById(result)).toEqual({
      d: "not run: stage a failed",
      e: "not run: needs b (failed)",
    });
  });

  it("continueOnFailure: independent branches finish; what needs the failed stage is not run, and says why", async () => {
    // a fails; b → d runs on; c needs a; e needs c (not run in turn); f needs a and d.
    const run = await schedule({
      spec: [
        ["a", []],
        ["b", []],
        ["c", ["a"]],
        ["d", ["b"]],
        ["e", ["c"]],
        ["f", ["a", "d"]],
      ],
      scripts: { a: { ms: 10, outcome: failed("a") }, b: { ms: 60 }, d: { ms: 30 } },
      continueOnFailure: true,
    });
    const { result } = await run.settle();
    expect(result.status).toBe("failed");
    expect(result.detail).toBe("stage:a:failed");
    expect(run.stopReasons.size).toBe(0);
    expect(run.startOrder()).toEqual(["a", "b", "d"]);
    expect(run.notRunById(result)).toEqual({
      c: "not run: needs a (failed)",
      e: "not run: needs c (not run)",
      f: "not run: needs a (failed)",
    });
  });

  it("continueOnFailure: the run's detail is the first failure's, later failures included in not-run reasons", async () => {
    const run = await schedule({
      spec: [
        ["a", []],
        ["b", []],
        ["c", ["a", "b"]],
      ],
      scripts: { a: { ms: 10, outcome: failed("a") }, b: { ms: 40, outcome: failed("b") } },
      continueOnFailure: true,
    });
    const { result } = await run.settle();
    expect(result.detail).toBe("stage:a:failed");
    expect(run.notRunById(result)).toEqual({ c: "not run: needs a, b (failed)" });
  });

  it("a thrown error stops the others and is rethrown only after they settled", async () => {
    const boom = new Error("cannot write the log");
    const run = await schedule({
      spec: [
        ["a", []],
        ["b", []],
        ["c", []],
      ],
      scripts: { a: { ms: 15, throws: boom }, b: { ms: 20_000, stopMs: 60 } },
      concurrency: 2,
    });
    let rejectedAt = Number.NaN;
    const error = await run.promise.then(
      () => null,
      (caught: unknown) => {
        rejectedAt = run.now();
        return caught;
      },
    );
    expect(error).toBe(boom);
    expect((run.stopReasons.get("b") as SiblingFailure).stageId).toBe("a");
    expect(run.endOf("b")).toBeDefined();
    expect(run.endOf("b") as number).toBeLessThanOrEqual(rejectedAt);
    expect(run.startOrder()).toEqual(["a", "b"]);
  });
});

describe("runStageGraph: gates and cancellation", () => {
  it("a paused stage holds back only its dependents; the run pauses once the other branch finished", async () => {
    // gate (paused) → deploy; build → test run on.
    const run = await schedule({
      spec: [
        ["gate", []],
        ["deploy", ["gate"]],
        ["build", []],
        ["test", ["build"]],
      ],
      scripts: {
        gate: { ms: 5, outcome: { status: "paused", detail: "stage:gate:awaiting_approval" } },
        build: { ms: 60 },
        test: { ms: 40 },
      },
    });
    const { result, settledAt } = await run.settle();
    expect(result.status).toBe("awaiting_approval");
    expect(result.detail).toBe("stage:gate:awaiting_approval");
    expect(run.startOrder()).toEqual(["gate", "build", "test"]);
    expect(run.endOf("test")).toBeDefined();
    expect(run.endOf("test") as number).toBeGreaterThan(run.endOf("gate") as number);
    expect(run.endOf("test") as number).toBeLessThanOrEqual(settledAt);
    expect(run.stopReasons.size).toBe(0);
    expect(run.notRunById(result)).toEqual({ deploy: "not run: needs gate (awaiting approval)" });
  });

  it("a failure outranks a pause", async () => {
    const run = await schedule({
      spec: [
        ["gate", []],
        ["broken", []],
      ],
      scripts: {
        gate: { ms: 5, outcome: { status: "paused", detail: "stage:gate:awaiting_approval" } },
        broken: { ms: 30, outcome: failed("broken") },
      },
    });
    const { result } = await run.settle();
    expect(result.status).toBe("failed");
    expect(result.detail).toBe("stage:broken:failed");
  });

  it("the run's abort cancels the running stages through their signal and starts nothing more", async () => {
    const controller = new AbortController();
    const run = await schedule({
      spec: [
        ["a", []],
        ["b", []],
        ["c", []],
        ["after", ["a"]],
        ["later", ["c"]],
      ],
      scripts: { a: { ms: 20_000 }, b: { ms: 20_000 } },
      concurrency: 2,
      abortSignal: controller.signal,
    });
    setTimeout(() => controller.abort("SIGTERM"), 30);
    const { result, elapsed } = await run.settle();
    expect(elapsed).toBeLessThan(5_000);
    expect(result).toMatchObject({ status: "cancelled", detail: null });
    expect(run.startOrder()).toEqual(["a", "b"]);
    expect(run.stopReasons.get("a")).toBe("SIGTERM");
    expect(run.stopReasons.get("b")).toBe("SIGTERM");
    expect(run.notRunById(result)).toEqual({
      c: "not run: the run was cancelled",
      after: "not run: the run was cancelled",
      later: "not run: needs c (not run)",
    });
  });

  it("a run aborted before it starts runs nothing", async () => {
    const controller = new AbortController();
    controller.abort("SIGINT");
    const run = await schedule({ spec: [["a", []], ["b"]], abortSignal: controller.signal });
    const { result } = await run.settle();
    expect(result.status).toBe("cancelled");
    expect(run.log).toEqual([]);
    expect(run.notRunById(result)).toEqual({
      a: "not run: the run was cancelled",
      b: "not run: needs a (not run)",
    });
  });
});

import type { StageGraph } from "./stage-graph.js";

/** How one stage ended, as the scheduler needs to know it. */
export type ScheduledOutcome =
  | { status: "succeeded" | "skipped"; detail: null }
  | { status: "failed" | "paused" | "cancelled"; detail: string };

/** Why the scheduler stopped a running stage: another stage failed first. */
export class SiblingFailure {
  constructor(readonly stageId: string) {}
}

/** What the run came to, and what became of the stages that did not finish. */
export interface ScheduleResult {
  status: "succeeded" | "failed" | "awaiting_approval" | "cancelled";
  /** The first failure's or pause's detail; null when the run succeeded or was cancelled. */
  detail: string | null;
  /** Stages that were never started, with why: `not run: needs build (failed)`. */
  notRun: Map<number, string>;
}

/** Options for {@link runStageGraph}. */
export interface RunStageGraphOptions {
  graph: StageGraph;
  /** Stage ids by 1-based index, for the reasons given. */
  ids: ReadonlyMap<number, string>;
  /** Stages that already succeeded or were skipped (a resume); they are not run again. */
  done: ReadonlySet<number>;
  /** At most this many stages run at once. */
  concurrency: number;
  /** After a failure, run on every stage that does not need a failed one. */
  continueOnFailure: boolean;
  /** The run's cancellation: nothing new starts, and running stages see it through their own signal. */
  abortSignal: AbortSignal;
  /**
   * Runs one stage. `stop` is aborted (with a {@link SiblingFailure}) when another stage's failure
   * stops it, and whenever the run itself is cancelled.
   */
  runStage: (index: number, stop: AbortSignal) => Promise<ScheduledOutcome>;
}

/**
 * Runs a stage graph: every stage once all it needs has succeeded (or been skipped), in pipeline
 * order among those ready, never more than `concurrency` at a time. By default the first failure
 * starts nothing new and stops the running stages; with `continueOnFailure`, only the stages that
 * need a failed one are left out. A paused stage (a gate) holds back only what needs it; the run
 * pauses once nothing else can run.
 */
export async function runStageGraph(options: RunStageGraphOptions): Promise<ScheduleResult> {
  const { graph, ids, done, abortSignal } = options;
  const limit = Math.max(1, Math.floor(options.concurrency));
  const finished = new Set(done);
  const waiting = new Map<number, number>();
  const ready: number[] = [];
  for (const [index, needs] of graph.needs) {
    if (finished.has(index)) continue;
    const open = needs.filter((need) => !finished.has(need)).length;
    waiting.set(index, open);
    if (open === 0) ready.push(index);
  }
  ready.sort((left, right) => left - right);

  type Settled = [number, ScheduledOutcome | { status: "thrown"; error: unknown }];
  const running = new Map<number, { stop: AbortController; settled: Promise<Settled> }>();
  const started = new Set<number>();
  const failed: number[] = [];
  const paused: number[] = [];
  let firstFailure: string | null = null;
  let firstPause: string | null = null;
  let stopping = false;
  let thrown: { error: unknown } | null = null;
  const stopRunning = (reason: unknown) => {
    stopping = true;
    for (const other of running.values()) other.stop.abort(reason);
  };

  const start = (index: number) => {
    const stop = new AbortController();
    const signal = AbortSignal.any([abortSignal, stop.signal]);
    started.add(index);
    const settled = options.runStage(index, signal).then(
      (outcome): Settled => [index, outcome],
      (error: unknown): Settled => [index, { status: "thrown", error }],
    );
    running.set(index, { stop, settled });
  };

  for (;;) {
    while (!stopping && !abortSignal.aborted && running.size < limit && ready.length > 0)
      start(ready.shift() as number);
    if (running.size === 0) break;
    const [index, outcome] = await Promise.race([...running.values()].map((entry) => entry.settled));
    running.delete(index);
    switch (outcome.status) {
      case "thrown":
        // The engine itself failed (a log that cannot be written): stop the rest, then report it.
        thrown ??= { error: outcome.error };
        stopRunning(new SiblingFailure(ids.get(index) ?? String(index)));
        break;
      case "succeeded":
      case "skipped":
        finished.add(index);
        for (const dependent of graph.dependents.get(index) ?? []) {
          const open = (waiting.get(dependent) ?? 1) - 1;
          waiting.set(dependent, open);
          if (open === 0) insertSorted(ready, dependent);
        }
        break;
      case "paused":
        paused.push(index);
        firstPause ??= outcome.detail;
        break;
      case "failed":
      case "cancelled":
        if (outcome.status === "cancelled" && abortSignal.aborted) {
          stopping = true;
          break;
        }
        failed.push(index);
        if (firstFailure === null) {
          firstFailure = outcome.detail;
          if (!options.continueOnFailure) stopRunning(new SiblingFailure(ids.get(index) ?? String(index)));
        }
        break;
    }
  }

  if (thrown !== null) throw thrown.error;
  const notRun = describeNotRun({ graph, ids, finished, failed, paused, started });
  if (abortSignal.aborted) return { status: "cancelled", detail: null, notRun };
  if (firstFailure !== null) return { status: "failed", detail: firstFailure, notRun };
  if (firstPause !== null) return { status: "awaiting_approval", detail: firstPause, notRun };
  return { status: "succeeded", detail: null, notRun };
}

function insertSorted(list: number[], value: number): void {
  let position = list.length;
  while (position > 0 && (list[position - 1] as number) > value) position -= 1;
  list.splice(position, 0, value);
}

// Each stage that never started, with the nearest reason: a need that failed or waits at a gate,
// a need that itself did not run, or the failure that stopped the run.
function describeNotRun(state: {
  graph: StageGraph;
  ids: ReadonlyMap<number, string>;
  finished: ReadonlySet<number>;
  failed: readonly number[];
  paused: readonly number[];
  started: ReadonlySet<number>;
}): Map<number, string> {
  const { graph, ids, finished, failed, paused, started } = state;
  const idOf = (index: number) => ids.get(index) ?? String(index);
  const notRun = new Map<number, string>();
  for (const [index, needs] of graph.needs) {
    if (finished.has(index) || started.has(index)) continue;
    const failedNeeds = needs.filter((need) => failed.includes(need)).map(idOf);
    const pausedNeeds = needs.filter((need) => paused.includes(need)).map(idOf);
    const waitingNeeds = needs.filter((need) => !finished.has(need) && !started.has(need)).map(idOf);
    if (failedNeeds.length > 0) notRun.set(index, `not run: needs ${failedNeeds.join(", ")} (failed)`);
    else if (pausedNeeds.length > 0)
      notRun.set(index, `not run: needs ${pausedNeeds.join(", ")} (awaiting approval)`);
    else if (waitingNeeds.length > 0)
      notRun.set(index, `not run: needs ${waitingNeeds.join(", ")} (not run)`);
    else if (failed.length > 0) notRun.set(index, `not run: stage ${idOf(failed[0] as number)} failed`);
    else notRun.set(index, "not run: the run was cancelled");
  }
  return notRun;
}

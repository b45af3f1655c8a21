import type { RunStatus, RunSummary, StageStatus } from "@codex/orchestrator-schema";

/** Everything the TaskManager announces while a run goes, by event name. */
export interface OrchestratorEvents {
  "run:started": {
    runId: string;
    taskId: string;
    pipelineId: string;
    resumed: boolean;
    manifest: string;
    /** The run that started this one (a subpipeline's parent, or `--parent-run`), else null. */
    parentRunId: string | null;
    /** How deep this run is nested in the run this call started (0 for that run itself). */
    depth: number;
  };
  "stage:started": {
    runId: string;
    index: number;
    stageId: string;
    title: string;
    kind: string;
    attempt: number;
  };
  "stage:output": {
    runId: string;
    index: number;
    stageId: string;
    stream: "stdout" | "stderr";
    data: string;
  };
  "stage:finished": {
    runId: string;
    index: number;
    stageId: string;
    /** `pending` for a manual stage left waiting for approval. */
    status: StageStatus;
    exitCode: number | null;
    /** How a stage that did not succeed ended: `exit 3`, `timed out after 5s`, `stopped: stage lint failed`. */
    ending: string | null;
    durationMs: number;
    tail: string[];
    /** Set when the stage's result was reused from the stage cache: the run it came from. */
    reusedFrom?: string;
  };
  "approval:requested": { runId: string; stageId: string; planHash: string; instructions: string | null };
  "run:finished": { runId: string; status: RunStatus; statusDetail: string | null; manifest: string };
  "run:completed": RunSummary;
  warning: { runId: string | null; message: string };
}

/** Name of an orchestrator event. */
export type OrchestratorEventName = keyof OrchestratorEvents;

type Listener<N extends OrchestratorEventName> = (payload: OrchestratorEvents[N]) => void;

/**
 * A small typed event bus between the planner, builder, reviewer and persistence. A listener that
 * throws is reported as a warning and never breaks the run.
 */
export class EventBus {
  readonly #listeners = new Map<OrchestratorEventName, Set<Listener<never>>>();

  /** Subscribes; returns the unsubscribe function. */
  on<N extends OrchestratorEventName>(name: N, listener: Listener<N>): () => void {
    let set = this.#listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** Announces an event to its listeners. */
  emit<N extends OrchestratorEventName>(name: N, payload: OrchestratorEvents[N]): void {
    const set = this.#listeners.get(name);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        (listener as Listener<N>)(payload);
      } catch (error) {
        if (name !== "warning")
          this.emit("warning", { runId: null, message: `An event listener failed: ${String(error)}` });
      }
    }
  }

  /** Whether anyone listens for `name` (lets hot paths skip building payloads). */
  has(name: OrchestratorEventName): boolean {
    return (this.#listeners.get(name)?.size ?? 0) > 0;
  }

  /** The completion source the persistence coordinator subscribes to. */
  onRunCompleted(listener: (summary: RunSummary) => void): () => void {
    return this.on("run:completed", listener);
  }
}

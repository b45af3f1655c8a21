import type { RunSummary } from "@codex/orchestrator-schema";
import { writeJsonAtomic } from "../files/safe-fs.js";
import { updateStateSnapshot } from "./state-snapshot.js";

/** Anything that announces a finished run (the TaskManager's event bus). */
export interface RunCompletionSource {
  /** Calls `listener` with the run summary when a run completes; returns an unsubscribe function. */
  onRunCompleted(listener: (summary: RunSummary) => void): () => void;
}

/** Where the coordinator writes. */
export interface PersistenceCoordinatorOptions {
  runSummaryPath: string;
  statePath: string;
  taskId: string;
  /** Told about a write that failed; the other write still happens. */
  onError?: (error: unknown, artifact: "run-summary" | "state") => void;
}

/** Outcome of one persist call. */
export interface PersistOutcome {
  runSummary: boolean;
  state: boolean;
}

/**
 * Writes `run-summary.json` and the task's state snapshot when a run completes. The two writes
 * are independent: a failure of one is reported and does not lose the other.
 */
export class PersistenceCoordinator {
  readonly #options: PersistenceCoordinatorOptions;

  constructor(options: PersistenceCoordinatorOptions) {
    this.#options = options;
  }

  /** Subscribes to a completion source; returns the unsubscribe function. */
  attach(source: RunCompletionSource): () => void {
    return source.onRunCompleted((summary) => {
      this.persist(summary);
    });
  }

  /** Writes both artifacts for one summary. */
  persist(summary: RunSummary): PersistOutcome {
    const outcome: PersistOutcome = { runSummary: false, state: false };
    try {
      writeJsonAtomic(this.#options.runSummaryPath, summary);
      outcome.runSummary = true;
    } catch (error) {
      this.#options.onError?.(error, "run-summary");
    }
    try {
      updateStateSnapshot({
        statePath: this.#options.statePath,
        taskId: this.#options.taskId,
        summary,
      });
      outcome.state = true;
    } catch (error) {
      this.#options.onError?.(error, "state");
    }
    return outcome;
  }
}

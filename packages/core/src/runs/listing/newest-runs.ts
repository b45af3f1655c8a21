import { listRunIds, listTaskIds, type OrchestratorLocations } from "@codex/orchestrator-persistence";

/** A run by its folder names alone. */
export interface RunRef {
  taskId: string;
  runId: string;
}

/**
 * Every run of the given tasks (default: all), newest first by run id (run ids sort by time), from
 * folder names alone: the tasks' sorted lists are merged from their ends, so a caller that stops
 * after a few runs has read nothing about the others.
 */
export function* newestRuns(
  locations: OrchestratorLocations,
  taskIds?: readonly string[],
): Generator<RunRef> {
  const lists = (taskIds ?? listTaskIds(locations)).map((taskId) => ({
    taskId,
    runIds: listRunIds(locations, taskId),
    position: 0,
  }));
  for (const list of lists) list.position = list.runIds.length - 1;
  for (;;) {
    let best: (typeof lists)[number] | null = null;
    let bestId = "";
    for (const list of lists) {
      if (list.position < 0) continue;
      const runId = list.runIds[list.position] as string;
      // Code-unit order, like compareAscii; a tie goes to the later task, as a sort would.
      if (best === null || runId > bestId || (runId === bestId && list.taskId > best.taskId)) {
        best = list;
        bestId = runId;
      }
    }
    if (best === null) return;
    best.position -= 1;
    yield { taskId: best.taskId, runId: bestId };
  }
}

/**
 * A closed stdout or stderr (`start | head -1`, a closed terminal) never changes a run: a write
 * error on either stream (EPIPE and the like) is swallowed and the stream is left alone from then
 * on, so the run goes on, its stage is not orphaned, and its exit code stays the run's.
 * Without a listener, Node would throw the stream's `error` event and end the process mid-run.
 */
export function survivesClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", () => {
      // Nothing reads this stream any more; what would have been written has nowhere to go.
    });
  }
}

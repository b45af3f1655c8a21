// SIGHUP is a closed terminal: the person is gone, so the run stops as it does on SIGTERM.
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Turns SIGINT/SIGTERM/SIGHUP into an abort whose reason names the signal, so the engine can stop
 * the running stage's process group and finish the run as `cancelled` (exit 130/143/129).
 */
export function abortOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = () => {
      if (!controller.signal.aborted) {
        process.stderr.write(`\ncodex-orchestrator: received ${name}, stopping the running stage…\n`);
        controller.abort(name);
      }
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

import { writeFileAtomic } from "@codex/orchestrator-persistence";

/** Options for {@link HeartbeatWriter}. */
export interface HeartbeatWriterOptions {
  /** The `.heartbeat` file. */
  path: string;
  /** Seconds between beats (default 5). */
  intervalSeconds?: number;
  /** Called after each beat is on disk, with its timestamp (the run refreshes `heartbeat_at`). */
  onBeat?: (timestamp: string) => void;
  /** Told about a failed beat; the writer keeps going and the run is never crashed by it. */
  onError?: (error: unknown) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

/** Default seconds between heartbeats (docs/contract.md §3). */
export const HEARTBEAT_INTERVAL_SECONDS = 5;

/**
 * Rewrites `.heartbeat` (an ISO-8601 timestamp and a newline) every few seconds while a run is
 * active, and once more when it stops. The timer does not keep the process alive on its own.
 */
export class HeartbeatWriter {
  readonly #options: HeartbeatWriterOptions;
  #timer: NodeJS.Timeout | null = null;
  #last: string | null = null;

  constructor(options: HeartbeatWriterOptions) {
    this.#options = options;
  }

  /** The timestamp of the last successful beat. */
  get lastBeat(): string | null {
    return this.#last;
  }

  /** Beats now, then every interval until {@link stop}. */
  start(): void {
    if (this.#timer !== null) return;
    this.beat();
    const intervalMs = (this.#options.intervalSeconds ?? HEARTBEAT_INTERVAL_SECONDS) * 1000;
    this.#timer = setInterval(() => this.beat(), intervalMs);
    this.#timer.unref();
  }

  /** Writes one beat; failures go to `onError`, never to the caller. */
  beat(): void {
    const timestamp = (this.#options.now?.() ?? new Date()).toISOString();
    try {
      writeFileAtomic(this.#options.path, `${timestamp}\n`);
      this.#last = timestamp;
    } catch (error) {
      this.#options.onError?.(error);
      return;
    }
    try {
      this.#options.onBeat?.(timestamp);
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  /** Stops the timer; with `final` (the default) writes a last beat first. */
  stop(options: { final?: boolean } = {}): void {
    if (this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
    if (options.final ?? true) this.beat();
  }
}

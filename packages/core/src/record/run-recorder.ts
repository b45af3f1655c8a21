import { writeManifest, type RunPaths } from "@codex/orchestrator-persistence";
import type { Manifest, RunStateEvent, RunStateEventInput } from "@codex/orchestrator-schema";
import {
  buildSummaryText,
  EventStreamWriter,
  type OpenStageOptions,
  type OutputChunk,
} from "@codex/orchestrator-telemetry";
import type { Redactor } from "../process/redaction.js";
import { applyRunEvent } from "./run-state.js";
import { redactStateEvent } from "./value-redaction.js";

/** When a recorded event reaches the manifest file: at once, within a short while, or with the next write. */
export type PersistMode = "now" | "soon" | "later";

/** Options for {@link RunRecorder}. */
export interface RunRecorderOptions {
  paths: RunPaths;
  /** The run's state so far (a new run's first manifest, or one read back for a resume). */
  manifest: Manifest;
  redactor: Redactor;
  /** Events other processes left for this run (journal, child registrations), asked for before each write. */
  pendingEvents?: (manifest: Manifest) => RunStateEventInput[];
  /** Changes when other processes leave something for the run: the manifest is then written at once. */
  pendingFingerprint?: () => string;
  /** Clock, for tests. */
  now?: () => Date;
  /** Whether the logs carry hash chains (docs/evidence.md); default true. */
  chained?: boolean;
}

// "Soon" writes wait at least this long, and at least this many times the last write took, so that
// writing a large manifest never takes more than a small share of a run however many stages it has.
const MIN_PERSIST_INTERVAL_MS = 200;
const PERSIST_INTERVAL_FACTOR = 20;

/**
 * The one owner of a run's state while a process works on it. Every change is a typed state event:
 * redacted, numbered, appended once through the event writer (runner.ndjson, and the stage's own
 * log for its command events), then applied to the in-memory manifest by {@link applyRunEvent}.
 * The manifest file is a snapshot of that state, written whole: at once for the moments that
 * matter (a failure, a pause, the end), and otherwise at a pace that keeps large runs linear.
 */
export class RunRecorder {
  readonly events: EventStreamWriter;
  readonly #paths: RunPaths;
  readonly #manifest: Manifest;
  readonly #redactor: Redactor;
  readonly #pendingEvents: (manifest: Manifest) => RunStateEventInput[];
  readonly #pendingFingerprint: () => string;
  #fingerprintSeen = "";
  readonly #now: () => Date;
  #seq: number;
  #timer: NodeJS.Timeout | null = null;
  #lastWriteAt = 0;
  #lastWriteMs = 0;
  #onPersistError: (error: unknown) => void = () => {};

  constructor(options: RunRecorderOptions) {
    this.#paths = options.paths;
    this.#manifest = options.manifest;
    this.#redactor = options.redactor;
    this.#pendingEvents = options.pendingEvents ?? (() => []);
    this.#pendingFingerprint = options.pendingFingerprint ?? (() => "");
    this.#now = options.now ?? (() => new Date());
    this.#seq = options.manifest.event_seq ?? 0;
    this.events = new EventStreamWriter({
      runnerLogPath: options.paths.runnerLog,
      commandsDir: options.paths.commandsDir,
      now: this.#now,
      chainFrom: options.chained === false ? undefined : { runId: options.manifest.run_id },
    });
  }

  /** The run's state as recorded so far. Change it only through {@link record}. */
  get manifest(): Readonly<Manifest> {
    return this.#manifest;
  }

  /** The redactor every recorded text goes through. */
  get redactor(): Redactor {
    return this.#redactor;
  }

  /** Reports failures of writes that happen later (a "soon" write, a heartbeat). */
  onPersistError(listener: (error: unknown) => void): void {
    this.#onPersistError = listener;
  }

  /**
   * Records one state event of the run (`index` null) or of stage `index`: written to the logs,
   * applied to the manifest, and persisted as `persist` says. Throws when the log cannot be written;
   * the manifest is then left as it was.
   */
  record(
    input: RunStateEventInput,
    index: number | null = null,
    persist: PersistMode = "soon",
  ): RunStateEvent {
    const redacted = redactStateEvent(input, this.#redactor);
    const seq = this.#seq + 1;
    const payload = { ...redacted, seq };
    const timestamp =
      index === null
        ? this.events.run(payload)
        : input.type === "command:start" || input.type === "command:end" || input.type === "stage:cache"
          ? this.events.stage(index, payload)
          : this.events.runForStage(index, payload);
    this.#seq = seq;
    const event = { ...payload, timestamp, index } as RunStateEvent;
    applyRunEvent(this.#manifest, event);
    if (persist === "now") this.persist();
    else if (persist === "soon") this.persistSoon();
    return event;
  }

  /** Collects a chunk of stage output (already redacted) for the stage's log and runner.ndjson. */
  output(index: number, chunk: OutputChunk): void {
    this.events.output(index, chunk);
  }

  /** Opens (or reopens) the log of stage `index`. */
  openStage(index: number, fileStem: string, options: OpenStageOptions = {}): string {
    return this.events.openStage(index, fileStem, options);
  }

  /** Writes what was collected for stage `index` and closes its log. */
  closeStage(index: number): void {
    this.events.closeStage(index);
  }

  /**
   * Writes the manifest whole, after recording what other processes left for the run. Throws when
   * the disk refuses; the last good manifest stays.
   */
  persist(): void {
    this.#cancelTimer();
    this.recordPendingEvents();
    const started = performance.now();
    writeManifest(this.#paths.manifest, { ...this.#manifest, summary: buildSummaryText(this.#manifest) });
    this.#lastWriteMs = performance.now() - started;
    this.#lastWriteAt = Date.now();
  }

  /** Records what other processes left for the run (decisions, refused resumes, child runs). */
  recordPendingEvents(): void {
    this.#fingerprintSeen = this.#pendingFingerprint();
    for (const event of this.#pendingEvents(this.#manifest)) this.record(event, null, "later");
  }

  /** Like {@link persist}, but reports a failure instead of throwing. */
  tryPersist(): boolean {
    try {
      this.persist();
      return true;
    } catch (error) {
      this.#onPersistError(error);
      return false;
    }
  }

  /** Writes the manifest now if the pace allows it, else once it does. */
  persistSoon(): void {
    const interval = Math.max(MIN_PERSIST_INTERVAL_MS, this.#lastWriteMs * PERSIST_INTERVAL_FACTOR);
    const wait = this.#lastWriteAt + interval - Date.now();
    if (wait <= 0 || this.#pendingFingerprint() !== this.#fingerprintSeen) {
      this.tryPersist();
      return;
    }
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.tryPersist();
    }, wait);
    this.#timer.unref();
  }

  /** Writes what was collected and closes the logs; a pending "soon" write is dropped (persist first). */
  close(): void {
    this.#cancelTimer();
    this.events.close();
  }

  #cancelTimer(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
  }
}

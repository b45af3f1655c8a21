import { PersistenceError, UnsafePathError } from "../errors.js";
import type { RunLogDigest } from "./run-logs.js";

/**
 * The messages between a run's logs ({@link RunLogs}) and their writer thread. Every message has a
 * sequence number; the thread stores the number of the last message it handled in
 * `state[DONE]` and wakes the waiting side, so the run can wait for a message without an event
 * loop turn. Messages marked `reply` get one answer on the port, read with `receiveMessageOnPort`.
 */
export type ThreadRequest =
  | { seq: number; op: "open"; id: number; path: string; chainRunId: string | null; reply: boolean }
  | { seq: number; op: "line"; ids: readonly number[]; line: Uint8Array; reply: true }
  | { seq: number; op: "batch"; ids: readonly number[]; owner: number; bytes: Uint8Array; reply: false }
  | { seq: number; op: "close"; id: number; reply: true }
  | { seq: number; op: "digests"; reply: true }
  | { seq: number; op: "errors"; reply: true };

type WithoutSeq<T> = T extends unknown ? Omit<T, "seq"> : never;
/** A request as its sender gives it: the client numbers it. */
export type ThreadMessage = WithoutSeq<ThreadRequest>;

export interface ThreadReply {
  seq: number;
  error: TransportedError | null;
  digests?: RunLogDigest[];
  failures?: { owner: number; error: TransportedError }[];
}

/** Indices into the shared state (an Int32Array over a SharedArrayBuffer). */
export const DONE = 0;
/** Set to 1 by the thread when a batch failed and nobody asked for its failure yet. */
export const FAILED = 1;
/** Set to 1 by the thread once it is loaded and listening. */
export const READY = 2;
export const STATE_SLOTS = 3;

/** An error as it crosses threads: enough to rebuild the one the in-process path would throw. */
export interface TransportedError {
  kind: "persistence" | "unsafe-path" | "other";
  message: string;
  path: string;
  action: string;
  cause: { message: string; code?: string };
}

export function transportError(error: unknown, action: string, path: string): TransportedError {
  const cause = error instanceof PersistenceError && error.cause !== undefined ? error.cause : error;
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind:
      error instanceof UnsafePathError
        ? "unsafe-path"
        : error instanceof PersistenceError
          ? "persistence"
          : "other",
    message,
    path: error instanceof PersistenceError ? error.path : path,
    action,
    cause: {
      message: cause instanceof Error ? cause.message : String(cause),
      ...(typeof code === "string" ? { code } : {}),
    },
  };
}

export function rebuildError(error: TransportedError): PersistenceError | UnsafePathError {
  if (error.kind === "unsafe-path") return new UnsafePathError(error.message);
  const cause = Object.assign(
    new Error(error.cause.message),
    error.cause.code === undefined ? {} : { code: error.cause.code },
  );
  const rebuilt = new PersistenceError(error.action, error.path, cause);
  // The thread's own words (its action and reason), exactly as the in-process path says them.
  Object.defineProperty(rebuilt, "message", { value: error.message, enumerable: false, writable: true });
  return rebuilt;
}

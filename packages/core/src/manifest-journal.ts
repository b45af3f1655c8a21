import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import {
  compareAscii,
  ensureDirectory,
  mergeChildRuns,
  readChildRegistrations,
  readManifest,
  readRunOwner,
  withLock,
  writeJsonAtomic,
  writeManifest,
  type RunPaths,
  type TextTransform,
} from "@codex/orchestrator-persistence";
import { Approval, ResumeEvent, type Manifest } from "@codex/orchestrator-schema";
import { buildSummaryText } from "@codex/orchestrator-telemetry";

/**
 * Entries other processes add to a run (approvals, refused resumes, child runs) go to files of their
 * own in the run folder first. The run's owner folds them into the manifest whenever it writes it,
 * and a writer that finds no live owner folds them in itself under the manifest lock — so no
 * concurrent writer can lose another's entry.
 */
export type JournalKind = "approvals" | "resume-events";

/** Adds an entry to a run's journal. */
export function appendJournalEntry(
  runDir: string,
  kind: JournalKind,
  entry: Approval | ResumeEvent,
  transform?: TextTransform,
): void {
  const directory = path.join(runDir, kind);
  ensureDirectory(directory);
  const name = `${entry.timestamp.replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.json`;
  writeJsonAtomic(path.join(directory, name), entry, transform === undefined ? {} : { transform });
}

function readJournal<T>(
  runDir: string,
  kind: JournalKind,
  schema: { safeParse(value: unknown): { success: boolean; data?: T } },
): T[] {
  let names: string[];
  try {
    names = fs
      .readdirSync(path.join(runDir, kind))
      .filter((name) => name.endsWith(".json") && !name.startsWith("."));
  } catch {
    return [];
  }
  const entries: T[] = [];
  for (const name of names.sort()) {
    try {
      const parsed = schema.safeParse(JSON.parse(fs.readFileSync(path.join(runDir, kind, name), "utf8")));
      if (parsed.success && parsed.data !== undefined) entries.push(parsed.data);
    } catch {
      // Being written right now; the next merge picks it up.
    }
  }
  return entries;
}

function mergeByKey<T>(existing: readonly T[], incoming: readonly T[], key: (entry: T) => string): T[] {
  const seen = new Set(existing.map(key));
  const merged = [...existing];
  for (const entry of incoming) {
    if (!seen.has(key(entry))) {
      seen.add(key(entry));
      merged.push(entry);
    }
  }
  return merged.sort((left, right) => compareAscii(timestampOf(left), timestampOf(right)));
}

function timestampOf(entry: unknown): string {
  return (entry as { timestamp?: string }).timestamp ?? "";
}

/** Folds journal entries and child registrations into a manifest (in place); idempotent. */
export function mergeJournal(manifest: Manifest, paths: RunPaths): void {
  manifest.approvals = mergeByKey(
    manifest.approvals,
    readJournal(paths.runDir, "approvals", Approval),
    (entry) => [entry.stage_id, entry.timestamp, entry.actor, entry.decision].join("|"),
  );
  manifest.resume_events = mergeByKey(
    manifest.resume_events,
    readJournal(paths.runDir, "resume-events", ResumeEvent),
    (entry) => [entry.timestamp, entry.actor, entry.outcome, entry.detail ?? ""].join("|"),
  );
  manifest.child_runs = mergeChildRuns(manifest.child_runs, readChildRegistrations(paths.childrenDir));
}

/**
 * For writers that do not own the run: when no live process owns it, fold the journal into the
 * manifest now, under the manifest lock. Returns the manifest as written (or as read).
 */
export function refreshUnownedManifest(paths: RunPaths, transform?: TextTransform): Manifest {
  return withLock(
    path.join(paths.runDir, ".manifest.lock"),
    () => {
      const manifest = readManifest(paths.manifest);
      if (readRunOwner(paths.ownerLock)?.alive === true) return manifest;
      mergeJournal(manifest, paths);
      manifest.summary = buildSummaryText(manifest);
      manifest.updated_at = new Date().toISOString();
      writeManifest(paths.manifest, manifest, transform === undefined ? {} : { transform });
      return manifest;
    },
    { purpose: "manifest update" },
  );
}

/**
 * A cheap fingerprint of what other processes have added to a run (one `stat` per journal folder):
 * when it changes, the owner writes the manifest at once instead of coalescing, so a child run or a
 * decision shows in the manifest by the time the next stage starts.
 */
export function journalFingerprint(paths: RunPaths): string {
  return [paths.childrenDir, path.join(paths.runDir, "approvals"), path.join(paths.runDir, "resume-events")]
    .map((directory) => fs.statSync(directory, { throwIfNoEntry: false })?.mtimeMs ?? 0)
    .join("|");
}

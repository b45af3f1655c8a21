import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import {
  ensureDirectoryInside,
  readEntryFiles,
  readChildRegistrations,
  readManifest,
  readRunOwner,
  withLock,
  writeJsonAtomic,
  type RunPaths,
} from "@codex/orchestrator-persistence";
import {
  Approval,
  ResumeEvent,
  type Manifest,
  type RunStateEvent,
  type RunStateEventInput,
} from "@codex/orchestrator-schema";
import { loadRunState } from "./run-log.js";
import { RunRecorder } from "./run-recorder.js";
import { applyRunEvent } from "./run-state.js";
import { Redactor } from "../process/redaction.js";

/**
 * Entries other processes add to a run (approvals, refused resumes, child runs) go to files of their
 * own in the run folder first. The run's owner folds them into the manifest whenever it writes it,
 * and a writer that finds no live owner folds them in itself under the manifest lock — so no
 * concurrent writer can lose another's entry.
 */
export type JournalKind = "approvals" | "resume-events";

/** Adds an entry to a run's journal. */
export function appendJournalEntry(runDir: string, kind: JournalKind, entry: Approval | ResumeEvent): void {
  const directory = path.join(runDir, kind);
  ensureDirectoryInside(directory, runDir);
  const name = `${entry.timestamp.replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.json`;
  writeJsonAtomic(path.join(directory, name), entry);
}

/**
 * What other processes left for a run that its manifest does not hold yet, as state events:
 * decisions, refused resumes, and child runs that started or changed status.
 */
export function journalEvents(manifest: Manifest, paths: RunPaths): RunStateEventInput[] {
  const events: RunStateEventInput[] = [];
  const approvalKey = (entry: Approval) =>
    [entry.stage_id, entry.timestamp, entry.actor, entry.decision].join("|");
  const knownApprovals = new Set(manifest.approvals.map(approvalKey));
  for (const approval of readEntryFiles(path.join(paths.runDir, "approvals"), Approval)) {
    if (knownApprovals.has(approvalKey(approval))) continue;
    knownApprovals.add(approvalKey(approval));
    events.push({
      type: "approval:recorded",
      stage_id: approval.stage_id,
      decision: approval.decision,
      actor: approval.actor,
      approval,
    });
  }
  const resumeKey = (entry: ResumeEvent) =>
    [entry.timestamp, entry.actor, entry.outcome, entry.detail ?? ""].join("|");
  const knownResumes = new Set(manifest.resume_events.map(resumeKey));
  for (const resume of readEntryFiles(path.join(paths.runDir, "resume-events"), ResumeEvent)) {
    if (knownResumes.has(resumeKey(resume))) continue;
    knownResumes.add(resumeKey(resume));
    // Only refusals come through the journal; an accepted resume is recorded by its owner.
    events.push({
      type: "run:resume",
      actor: resume.actor,
      outcome: "blocked",
      detail: resume.detail,
      resume_event: { ...resume, outcome: "blocked" },
    });
  }
  const knownChildren = new Map(manifest.child_runs.map((child) => [child.run_id, child]));
  for (const child of readChildRegistrations(paths.childrenDir)) {
    const known = knownChildren.get(child.run_id);
    if (known !== undefined && known.status === child.status && known.manifest === child.manifest) continue;
    events.push({ type: "child:registered", child });
  }
  return events;
}

/**
 * A run's state with what its journal holds applied on top, for readers (`status`, `approve`):
 * what the owner will record, shown now. Nothing is written.
 */
export function withJournal(manifest: Manifest, paths: RunPaths): Manifest {
  const timestamp = new Date().toISOString();
  for (const event of journalEvents(manifest, paths))
    applyRunEvent(manifest, { ...event, timestamp, index: null } as RunStateEvent);
  return manifest;
}

/**
 * For writers that do not own the run: when no live process owns it, record what the journal
 * holds now, under the manifest lock, through a recorder of its own. Returns the manifest as
 * written (or as read, when a live owner will record it).
 */
export function refreshUnownedManifest(paths: RunPaths): Manifest {
  return withLock(
    path.join(paths.runDir, ".manifest.lock"),
    () => {
      if (readRunOwner(paths.ownerLock)?.alive === true) return readManifest(paths.manifest);
      const recorder = new RunRecorder({
        paths,
        manifest: loadRunState(paths),
        // Journal entries were redacted by whoever wrote them.
        redactor: new Redactor([]),
        pendingEvents: (manifest) => journalEvents(manifest, paths),
      });
      try {
        recorder.persist();
      } finally {
        recorder.close();
      }
      return structuredClone(recorder.manifest) as Manifest;
    },
    { purpose: "manifest update" },
  );
}

/**
 * A cheap fingerprint of what other processes have added to a run (one `stat` per journal folder):
 * when it changes, the owner writes the manifest at once instead of at its usual pace, so a child
 * run or a decision shows in the manifest by the time the next stage starts.
 */
export function journalFingerprint(paths: RunPaths): string {
  return [paths.childrenDir, path.join(paths.runDir, "approvals"), path.join(paths.runDir, "resume-events")]
    .map((directory) => fs.statSync(directory, { throwIfNoEntry: false })?.mtimeMs ?? 0)
    .join("|");
}

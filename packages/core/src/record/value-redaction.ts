import type { Manifest, Provenance, RunStateEventInput, Stage } from "@codex/orchestrator-schema";
import { REDACTED, type Redactor } from "../process/redaction.js";

/**
 * Secrets are replaced inside the string values that carry text from commands, their output and
 * people, before anything is serialized, and never in JSON text: ids, paths, statuses, timestamps,
 * hashes, numbers and key names are left alone, so a secret equal to `true`, `runs` or a path
 * fragment cannot change the structure of a file. These lists are the whole of it (and
 * docs/configuration.md repeats them); stage output is redacted as it streams (StreamRedactor).
 */
export const REDACTED_FIELDS = {
  /** Stage entries of the manifest, and stages in `run:created`. */
  stageEntry: ["command", "title", "summary", "status_detail"],
  /** State events written to runner.ndjson and stage logs. */
  event: ["command", "summary", "status_detail", "detail", "reason"],
  /** Approvals and resume events (journal files and the manifest). */
  decision: ["reason", "detail"],
  /** `errors/NN-<slug>.json`. */
  errorFile: ["command", "title", "error", "stdout_tail", "stderr_tail", "tail_lines", "summary"],
  /** A stage's cache record (`stage:cache` events and the manifest's `cache`). */
  cacheRecord: ["note"],
  /** Stages in the plan snapshot (`pipeline.json`); `env` values are redacted too. */
  planStage: ["command", "title", "instructions", "summaryHint"],
  /** The manifest's `provenance` (and each attestation's): who, where, and the git and CI text. */
  provenance: ["actor", "host"],
  provenanceGit: ["branch", "remote_url"],
  provenanceCi: ["run_id", "workflow", "ref", "url"],
} as const;

/** A copy of `record` with the string values (or string lists) of `fields` redacted. */
export function redactFields<T extends object>(record: T, fields: readonly string[], redactor: Redactor): T {
  if (!redactor.active) return record;
  const copy: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === "string") copy[field] = redactor.redact(value);
    else if (Array.isArray(value))
      copy[field] = value.map((item: unknown) => (typeof item === "string" ? redactor.redact(item) : item));
  }
  return copy as T;
}

/** A state event with its text redacted (the decision it carries too). */
export function redactStateEvent(event: RunStateEventInput, redactor: Redactor): RunStateEventInput {
  if (!redactor.active) return event;
  const redacted = redactFields(event, REDACTED_FIELDS.event, redactor);
  if (redacted.type === "run:created")
    return { ...redacted, manifest: redactManifest(redacted.manifest, redactor) };
  if (redacted.type === "approval:recorded" && redacted.approval !== undefined)
    return { ...redacted, approval: redactFields(redacted.approval, REDACTED_FIELDS.decision, redactor) };
  if (redacted.type === "stage:cache")
    return { ...redacted, cache: redactFields(redacted.cache, REDACTED_FIELDS.cacheRecord, redactor) };
  if (redacted.type === "run:resume" && redacted.resume_event !== undefined)
    return {
      ...redacted,
      resume_event: redactFields(redacted.resume_event, REDACTED_FIELDS.decision, redactor),
    };
  return redacted;
}

/** A manifest with the text of its stages and decisions redacted. */
export function redactManifest(manifest: Manifest, redactor: Redactor): Manifest {
  if (!redactor.active) return manifest;
  return {
    ...manifest,
    pipeline_title: redactor.redact(manifest.pipeline_title),
    commands: manifest.commands.map((entry) => redactFields(entry, REDACTED_FIELDS.stageEntry, redactor)),
    approvals: manifest.approvals.map((approval) =>
      redactFields(approval, REDACTED_FIELDS.decision, redactor),
    ),
    resume_events: manifest.resume_events.map((event) =>
      redactFields(event, REDACTED_FIELDS.decision, redactor),
    ),
    ...(manifest.provenance === undefined
      ? {}
      : {
          provenance: manifest.provenance === null ? null : redactProvenance(manifest.provenance, redactor),
        }),
  };
}

/** Provenance with its free text redacted (a remote URL, a branch, an actor or a CI ref can carry a secret). */
export function redactProvenance(provenance: Provenance, redactor: Redactor): Provenance {
  if (!redactor.active) return provenance;
  return {
    ...redactFields(provenance, REDACTED_FIELDS.provenance, redactor),
    git:
      provenance.git === null ? null : redactFields(provenance.git, REDACTED_FIELDS.provenanceGit, redactor),
    ci: provenance.ci === null ? null : redactFields(provenance.ci, REDACTED_FIELDS.provenanceCi, redactor),
  };
}

/**
 * A stage as the plan snapshot keeps it: its text redacted, and every value of its `env` whose name
 * looks secret replaced whole (others redacted like text).
 */
export function redactStage(stage: Stage, redactor: Redactor): Stage {
  const redacted = redactFields(stage, REDACTED_FIELDS.planStage, redactor);
  if (redacted.kind !== "command" || redacted.env === undefined) return redacted;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(redacted.env))
    env[name] = redactor.isSecretName(name) ? REDACTED : redactor.redact(value);
  return { ...redacted, env };
}

import * as z from "zod";
import { NullableTimestamp, RunStatus, StageKind, StageStatus, Timestamp } from "../primitives.js";
import { Approval } from "../manifest.js";
import { Provenance } from "../provenance.js";

/** The in-toto Statement type. */
export const IN_TOTO_STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
/** The predicate type of a run attestation. */
export const RUN_PREDICATE_TYPE = "urn:codex-orchestrator:run-attestation:v1";
/** Where a run's attestations live, inside its folder. */
export const ATTESTATIONS_DIR = "attestations";

/** A file the attestation vouches for: its path from the run folder and its sha256. */
export const AttestationSubject = z.looseObject({
  name: z.string().min(1),
  digest: z.looseObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
});
/** A file the attestation vouches for. */
export type AttestationSubject = z.infer<typeof AttestationSubject>;

/** One log's hash chain as the run left it. */
export const AttestedLog = z.looseObject({
  name: z.string().min(1),
  lines: z.int().min(0),
  chained: z.boolean(),
});

/** One stage's result. */
export const AttestedStage = z.looseObject({
  index: z.int().min(1),
  id: z.string(),
  kind: StageKind,
  status: StageStatus,
  exit_code: z.int().nullable(),
  duration_ms: z.number().nullable(),
  sub_run_id: z.string().nullable(),
});

/** A child run, verified with its own attestation. */
export const AttestedChild = z.looseObject({
  run_id: z.string().min(1),
  task_id: z.string().min(1),
  status: RunStatus,
  /** Its manifest's subject name. */
  manifest: z.string().min(1),
});

/** The key that signed, as recorded beside the signature. */
export const AttestationSigner = z.looseObject({
  key_id: z.string().min(1),
  /** The public key, PEM (SPKI): anyone can check the files against it; --key says whose it is. */
  public_key: z.string().min(1),
  /** `env` (CODEX_ORCHESTRATOR_SIGNING_KEY) or `repository` (the key kept under the runs directory). */
  source: z.enum(["env", "repository"]),
});

/** What the attestation says about the run. */
export const RunPredicate = z.looseObject({
  run: z.looseObject({
    run_id: z.string().min(1),
    task_id: z.string().min(1),
    pipeline_id: z.string().min(1),
    parent_run_id: z.string().nullable(),
    status: RunStatus,
    plan_hash: z.string().nullable(),
    started_at: Timestamp,
    completed_at: NullableTimestamp,
  }),
  /** 1 for the first attestation of the run, then one more after each resume. */
  sequence: z.int().min(1),
  attested_at: Timestamp,
  /** Where the run started (the manifest's provenance). */
  provenance: Provenance.nullable(),
  /** Who ended this part of the run, where, on which commit (differs from the start after a resume). */
  attested_by: Provenance.nullable(),
  stages: z.array(AttestedStage),
  approvals: z.array(Approval),
  children: z.array(AttestedChild),
  logs: z.array(AttestedLog),
  signer: AttestationSigner,
});
/** What the attestation says about the run. */
export type RunPredicate = z.infer<typeof RunPredicate>;

/** The signed statement: every file of the run and what the run was. */
export const RunStatement = z.looseObject({
  _type: z.literal(IN_TOTO_STATEMENT_TYPE),
  subject: z.array(AttestationSubject).min(1),
  predicateType: z.literal(RUN_PREDICATE_TYPE),
  predicate: RunPredicate,
});
/** The signed statement. */
export type RunStatement = z.infer<typeof RunStatement>;

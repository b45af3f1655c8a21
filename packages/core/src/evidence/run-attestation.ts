import path from "node:path";
import {
  ensureDirectoryInside,
  resolveRunPaths,
  writeFileAtomic,
  type OrchestratorLocations,
} from "@codex/orchestrator-persistence";
import type { Manifest, Provenance } from "@codex/orchestrator-schema";
import {
  ATTESTATIONS_DIR,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  RUN_PREDICATE_TYPE,
  attestationFileName,
  checkLogChain,
  listAttestations,
  listRunFiles,
  sha256File,
  signEnvelope,
  type RunPredicate,
  type RunStatement,
} from "@codex/orchestrator-schema/evidence";
import type { LogDigest } from "@codex/orchestrator-telemetry";
import type { SigningKey } from "./signing-key.js";

/** Options for {@link attestRun}. */
export interface AttestRunOptions {
  locations: OrchestratorLocations;
  runDir: string;
  /** The run as it ended (its manifest is on disk, its logs closed). */
  manifest: Readonly<Manifest>;
  key: SigningKey;
  /** Who ended this part of the run (redacted); the manifest keeps who started it. */
  attestedBy: Provenance | null;
  /** The digests of the logs this process wrote, so large logs are not read again. */
  logDigests: readonly LogDigest[];
}

/** The attestation written, from the run folder, and the key that signed it. */
export interface WrittenAttestation {
  file: string;
  keyId: string;
  subjects: number;
}

const LOG = /\.ndjson$/;

/**
 * Writes the run's next attestation (`attestations/NN.dsse.json`, earlier ones kept): an in-toto
 * Statement v1 whose subjects are every file of the run folder (earlier attestations included) and
 * each child run's manifest, with a predicate describing the run, in a DSSE envelope signed with
 * Ed25519. Throws when it cannot be written; the run's other files are untouched.
 */
export function attestRun(options: AttestRunOptions): WrittenAttestation {
  const { manifest, runDir } = options;
  const known = new Map(options.logDigests.map((log) => [log.path, log]));
  const subject: RunStatement["subject"] = [];
  const logs: RunPredicate["logs"] = [];
  for (const name of listRunFiles(runDir)) {
    const file = path.join(runDir, name);
    const written = known.get(file);
    if (written !== undefined) {
      subject.push({ name, digest: { sha256: written.sha256 } });
      logs.push({ name, lines: written.lines, chained: true });
    } else if (LOG.test(name)) {
      const check = checkLogChain(file, manifest.run_id);
      subject.push({ name, digest: { sha256: check.sha256 } });
      logs.push({ name, lines: check.lines, chained: check.chainedLines > 0 });
    } else subject.push({ name, digest: { sha256: sha256File(file) } });
  }
  const children: RunPredicate["children"] = [];
  for (const child of manifest.child_runs) {
    const childManifest = resolveRunPaths(options.locations, {
      taskId: child.task_id,
      runId: child.run_id,
    }).manifest;
    // Named from the run folder through the runs directory, whatever the child's task.
    const name = `../../../${child.task_id}/cli/${child.run_id}/manifest.json`;
    try {
      subject.push({ name, digest: { sha256: sha256File(childManifest) } });
    } catch {
      continue; // A child that never wrote its manifest has nothing to vouch for.
    }
    children.push({ run_id: child.run_id, task_id: child.task_id, status: child.status, manifest: name });
  }
  const sequence = (listAttestations(runDir).at(-1)?.sequence ?? 0) + 1;
  const predicate: RunPredicate = {
    run: {
      run_id: manifest.run_id,
      task_id: manifest.task_id,
      pipeline_id: manifest.pipeline_id,
      parent_run_id: manifest.parent_run_id,
      status: manifest.status,
      plan_hash: manifest.plan_hash ?? null,
      started_at: manifest.started_at,
      completed_at: manifest.completed_at,
    },
    sequence,
    attested_at: new Date().toISOString(),
    provenance: manifest.provenance ?? null,
    attested_by: options.attestedBy,
    stages: manifest.commands.map((entry) => ({
      index: entry.index,
      id: entry.id,
      kind: entry.kind,
      status: entry.status,
      exit_code: entry.exit_code,
      duration_ms: entry.duration_ms ?? null,
      sub_run_id: entry.sub_run_id,
    })),
    approvals: [...manifest.approvals],
    children,
    logs,
    signer: { key_id: options.key.keyId, public_key: options.key.publicKeyPem, source: options.key.source },
  };
  const statement: RunStatement = {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject,
    predicateType: RUN_PREDICATE_TYPE,
    predicate,
  };
  const envelope = signEnvelope({
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    payload: Buffer.from(JSON.stringify(statement), "utf8"),
    privateKey: options.key.privateKey,
  });
  const file = attestationFileName(sequence);
  ensureDirectoryInside(path.join(runDir, ATTESTATIONS_DIR), runDir);
  // One line (as in .intoto.jsonl bundles): no line of it can be moved without breaking its JSON.
  writeFileAtomic(path.join(runDir, file), `${JSON.stringify(envelope)}\n`);
  return { file, keyId: options.key.keyId, subjects: subject.length };
}

import { createPublicKey, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { RunStatement, type RunPredicate } from "./attestation.js";
import { checkLogChain } from "./chain-check.js";
import { DsseEnvelope, IN_TOTO_PAYLOAD_TYPE } from "./dsse-envelope.js";
import { keyFingerprint, verifyEnvelope } from "./dsse.js";
import { listAttestations, listRunFiles, sha256File } from "./run-files.js";

/** Options for {@link verifyRun}. */
export interface VerifyRunOptions {
  /** The public key the run must be signed with; without it, the key recorded in the attestation. */
  publicKey?: KeyObject | undefined;
}

/** One thing that does not hold, and the file it concerns (a path from the run folder). */
export interface VerificationProblem {
  file: string;
  problem: string;
}

/** What {@link verifyRun} found for one run and, recursively, its children. */
export interface RunVerification {
  run_id: string;
  run_dir: string;
  /** True when the signature, every subject, every chain and every child hold. */
  ok: boolean;
  attestation: {
    file: string;
    sequence: number;
    key_id: string;
    /** `given`: checked against --key; `recorded`: against the public key the attestation carries. */
    key: "given" | "recorded";
    subjects: number;
  } | null;
  problems: VerificationProblem[];
  /** What holds but a reviewer should know (logs without chains, files added after the attestation). */
  notes: string[];
  logs: Array<{ name: string; lines: number; chained: boolean }>;
  children: RunVerification[];
}

const LOG = /\.ndjson$/;
// A child's manifest, named from the parent's folder: ../../../<task>/cli/<run>/manifest.json.
const CHILD_MANIFEST =
  /^\.\.\/\.\.\/\.\.\/([A-Za-z0-9][A-Za-z0-9._-]*)\/cli\/([A-Za-z0-9][A-Za-z0-9._-]*)\/manifest\.json$/;
const MAX_DEPTH = 16;

/**
 * Checks a run folder against its newest attestation: the DSSE signature (Ed25519), the sha256 of
 * every subject, the hash chain of every log, and each child run the same way. Needs only Node and
 * this package; reads, never writes. Older runs without attestations or chains are reported as such.
 */
export function verifyRun(runDir: string, options: VerifyRunOptions = {}): RunVerification {
  return verifyAt(path.resolve(runDir), options, 0);
}

function verifyAt(runDir: string, options: VerifyRunOptions, depth: number): RunVerification {
  const result: RunVerification = {
    run_id: path.basename(runDir),
    run_dir: runDir,
    ok: false,
    attestation: null,
    problems: [],
    notes: [],
    logs: [],
    children: [],
  };
  const problem = (file: string, text: string) => result.problems.push({ file, problem: text });
  const attestations = listAttestations(runDir);
  const latest = attestations.at(-1);
  const statement = latest === undefined ? null : readStatement(runDir, latest, options, result, problem);
  if (latest === undefined)
    problem(
      "attestations/",
      "no attestation: the run has not ended yet, or was recorded before runs were signed",
    );

  const predicate = statement?.predicate ?? null;
  const runId = predicate?.run.run_id ?? result.run_id;
  if (predicate !== null && runId !== result.run_id)
    problem(latest?.name ?? "attestations/", `attests run ${runId}, not this folder's run ${result.run_id}`);
  const recordedLogs = new Map((predicate?.logs ?? []).map((log) => [log.name, log]));
  const subjects = new Map(
    (statement?.subject ?? []).map((subject) => [subject.name, subject.digest.sha256]),
  );
  const present = listRunFiles(runDir);

  for (const name of present.filter((file) => LOG.test(file))) {
    const check = checkLogChain(path.join(runDir, name), runId);
    result.logs.push({ name, lines: check.lines, chained: check.chainedLines > 0 });
    if (check.broken !== null)
      problem(name, `line ${check.broken.line} breaks the hash chain: it ${check.broken.reason}`);
    else if (check.chainedLines === 0 && check.lines > 0)
      result.notes.push(`${name}: no hash chain (recorded before chains)`);
    const expected = subjects.get(name);
    if (expected === undefined || expected === check.sha256) continue;
    const recorded = recordedLogs.get(name);
    if (check.broken !== null) continue;
    if (recorded !== undefined && check.lines < recorded.lines)
      problem(
        name,
        `cut short: ${check.lines} of ${recorded.lines} lines (lines ${check.lines + 1}–${recorded.lines} removed)`,
      );
    else
      problem(
        name,
        `changed since the attestation: line ${check.lines} (the last, which no later line covers) differs`,
      );
  }
  for (const [name, digest] of subjects) {
    if (LOG.test(name) || CHILD_MANIFEST.test(name)) continue;
    const file = insideRun(runDir, name);
    if (file === null) problem(name, "names a file outside the run folder");
    else if (!fs.existsSync(file)) problem(name, "missing");
    else if (sha256File(file) !== digest) problem(name, "changed since the attestation (sha256 differs)");
  }
  for (const name of subjects.keys()) if (LOG.test(name) && !present.includes(name)) problem(name, "missing");
  for (const name of present)
    if (statement !== null && !subjects.has(name) && name !== latest?.name)
      result.notes.push(`${name}: added after the attestation (not covered)`);

  for (const child of predicate?.children ?? []) {
    const match = CHILD_MANIFEST.exec(child.manifest);
    if (match === null) {
      problem(child.manifest, `child run ${child.run_id}: not a child manifest path`);
      continue;
    }
    const childDir = path.resolve(runDir, "../../..", match[1] as string, "cli", match[2] as string);
    const manifest = path.join(childDir, "manifest.json");
    const expected = subjects.get(child.manifest);
    if (!fs.existsSync(manifest)) problem(child.manifest, `child run ${child.run_id}: manifest missing`);
    else if (expected !== undefined && sha256File(manifest) !== expected)
      problem(
        child.manifest,
        `child run ${child.run_id}: manifest replaced or changed since the parent's attestation`,
      );
    if (depth >= MAX_DEPTH) {
      problem(child.manifest, "child runs nested too deep to verify");
      continue;
    }
    if (fs.existsSync(childDir)) result.children.push(verifyAt(childDir, options, depth + 1));
  }
  result.ok = result.problems.length === 0 && result.children.every((child) => child.ok);
  return result;
}

function readStatement(
  runDir: string,
  latest: { name: string; sequence: number },
  options: VerifyRunOptions,
  result: RunVerification,
  problem: (file: string, text: string) => void,
): RunStatementValue | null {
  let envelope: DsseEnvelope;
  let statement: RunStatementValue;
  try {
    envelope = DsseEnvelope.parse(JSON.parse(fs.readFileSync(path.join(runDir, latest.name), "utf8")));
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
      throw new Error(`payload type ${envelope.payloadType}`);
    statement = RunStatement.parse(JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")));
  } catch (error) {
    problem(latest.name, `not a readable attestation (${firstLine(error)})`);
    return null;
  }
  let key: KeyObject;
  try {
    key = options.publicKey ?? createPublicKey(statement.predicate.signer.public_key);
  } catch (error) {
    problem(latest.name, `its recorded public key cannot be read (${firstLine(error)})`);
    return null;
  }
  const keyId = keyFingerprint(key);
  result.attestation = {
    file: latest.name,
    sequence: latest.sequence,
    key_id: keyId,
    key: options.publicKey === undefined ? "recorded" : "given",
    subjects: statement.subject.length,
  };
  if (!verifyEnvelope(envelope, key)) {
    problem(
      latest.name,
      options.publicKey !== undefined && statement.predicate.signer.key_id !== keyId
        ? `signed by key ${statement.predicate.signer.key_id}, not the given key ${keyId}`
        : "the signature does not match its content",
    );
    return null;
  }
  if (statement.predicate.signer.key_id !== keyId)
    problem(latest.name, `records signer ${statement.predicate.signer.key_id} but was signed by ${keyId}`);
  return statement;
}

type RunStatementValue = {
  subject: Array<{ name: string; digest: { sha256: string } }>;
  predicate: RunPredicate;
};

function insideRun(runDir: string, name: string): string | null {
  const file = path.resolve(runDir, name);
  return file.startsWith(`${runDir}${path.sep}`) ? file : null;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

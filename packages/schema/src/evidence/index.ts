export {
  CHAIN_FIELD,
  LineChain,
  MAX_LINE_END_BYTES,
  PLAIN_LINE_END,
  chainStart,
  chainedLineEnd,
} from "./hash-chain.js";
export { checkLogChain } from "./chain-check.js";
export type { ChainCheck } from "./chain-check.js";
export { DsseEnvelope, IN_TOTO_PAYLOAD_TYPE } from "./dsse-envelope.js";
export { keyFingerprint, preAuthenticationEncoding, signEnvelope, verifyEnvelope } from "./dsse.js";
export {
  ATTESTATIONS_DIR,
  AttestationSigner,
  AttestationSubject,
  AttestedChild,
  AttestedLog,
  AttestedStage,
  IN_TOTO_STATEMENT_TYPE,
  RUN_PREDICATE_TYPE,
  RunPredicate,
  RunStatement,
} from "./attestation.js";
export {
  attestationFileName,
  isTransientRunFile,
  listAttestations,
  listRunFiles,
  sha256File,
} from "./run-files.js";
export { verifyRun } from "./verify-run.js";
export type { RunVerification, VerifyRunOptions, VerificationProblem } from "./verify-run.js";

import type * as z from "zod";
import { CacheListEntry, PlanOutput, RunListEntry, StartOutput, StatusOutput } from "./cli-output.js";
import { OrchestratorConfig } from "./config.js";
import { RunEvent } from "./events.js";
import { DsseEnvelope } from "./evidence/dsse-envelope.js";
import { RunStatement } from "./evidence/attestation.js";
import { Manifest } from "./manifest.js";
import {
  LocalCompatRecord,
  LocalManifestStub,
  McpCompatPointer,
  MetricsLine,
  ResumeToken,
  RunSummary,
  StateSnapshot,
} from "./records.js";
import { createValidators, type Validators } from "./validate.js";

/**
 * Every artifact with a schema, by the file name of its generated JSON Schema
 * (`schemas/<name>.schema.json`).
 */
export const ARTIFACT_SCHEMAS = {
  manifest: Manifest,
  "run-event": RunEvent,
  "metrics-line": MetricsLine,
  "resume-token": ResumeToken,
  "mcp-compat-pointer": McpCompatPointer,
  "local-compat": LocalCompatRecord,
  "local-manifest-stub": LocalManifestStub,
  "run-summary": RunSummary,
  "state-snapshot": StateSnapshot,
  "start-output": StartOutput,
  "status-output": StatusOutput,
  "plan-output": PlanOutput,
  "run-list-entry": RunListEntry,
  "run-attestation": DsseEnvelope,
  "run-statement": RunStatement,
  "cache-list-entry": CacheListEntry,
  config: OrchestratorConfig,
} as const satisfies Record<string, z.ZodType>;

/** The name of an artifact with a schema. */
export type ArtifactName = keyof typeof ARTIFACT_SCHEMAS;

const manifestValidators: Validators<Manifest> = createValidators(Manifest, "manifest");
const configValidators: Validators<OrchestratorConfig> = createValidators(OrchestratorConfig, "config");

/** Parses a manifest; throws {@link SchemaValidationError} naming the first bad path. */
export const parseManifest = manifestValidators.parse;
/** Parses a manifest without throwing. */
export const safeParseManifest = manifestValidators.safeParse;
/** Validates a manifest, returning every problem with its path. */
export const validateManifest = manifestValidators.validate;

/** Parses a `codex.orchestrator.json` value; throws {@link SchemaValidationError}. */
export const parseConfig = configValidators.parse;
/** Parses a config without throwing. */
export const safeParseConfig = configValidators.safeParse;
/** Validates a config, returning every problem with its path. */
export const validateConfig = configValidators.validate;

/** Validators for any artifact by name (`validatorsFor("metrics-line").validate(line)`). */
export function validatorsFor<N extends ArtifactName>(
  name: N,
): Validators<z.infer<(typeof ARTIFACT_SCHEMAS)[N]>> {
  return createValidators(ARTIFACT_SCHEMAS[name], name.replace(/-/g, " ")) as Validators<
    z.infer<(typeof ARTIFACT_SCHEMAS)[N]>
  >;
}

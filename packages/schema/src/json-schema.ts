import * as z from "zod";
import { ARTIFACT_SCHEMAS, type ArtifactName } from "./artifacts.js";
import { Pipeline } from "./config.js";

/** The `$id` prefix of every generated JSON Schema file (where the published package serves them). */
export const JSON_SCHEMA_BASE_URL = "https://unpkg.com/@codex/orchestrator-schema/schemas/";

/** Title and description of each generated file; typed by artifact so a new artifact cannot be forgotten. */
const DOCUMENTATION: Record<ArtifactName, { title: string; description: string }> = {
  manifest: {
    title: "codex-orchestrator manifest.json",
    description:
      "<runs>/<task>/cli/<run-id>/manifest.json, schema version 1: one run, its stages, approvals, resume events and child runs. Unknown extra fields are allowed.",
  },
  "run-event": {
    title: "codex-orchestrator run event",
    description: "One line of runner.ndjson or commands/NN-<slug>.ndjson, discriminated on `type`.",
  },
  "metrics-line": {
    title: "codex-orchestrator metrics line",
    description: "One line of <runs>/<task>/metrics.json (JSON Lines): one finished run or resume.",
  },
  "resume-token": {
    title: "codex-orchestrator resume-token.json",
    description: "<runs>/<task>/cli/<run-id>/resume-token.json: the token a resumer must present.",
  },
  "mcp-compat-pointer": {
    title: "codex-orchestrator MCP compatibility pointer",
    description: "<runs>/<task>/mcp/<run-id>/manifest.json: points legacy MCP readers at the real manifest.",
  },
  "local-compat": {
    title: "codex-orchestrator local-mcp compat.json",
    description: "<runs>/local-mcp/<run-id>/compat.json: describes the local-mcp link to the manifest.",
  },
  "local-manifest-stub": {
    title: "codex-orchestrator local-mcp manifest stub",
    description:
      "<runs>/local-mcp/<run-id>/manifest.json where symlinks fail: a stub naming the real manifest.",
  },
  "run-summary": {
    title: "codex-orchestrator run-summary.json",
    description: "<runs>/<task>/cli/<run-id>/run-summary.json: the TaskManager's summary of one run.",
  },
  "state-snapshot": {
    title: "codex-orchestrator state.json",
    description: "<out>/<task>/state.json: the task's run summaries, newest last.",
  },
  "start-output": {
    title: "codex-orchestrator start --format json",
    description:
      "What `codex-orchestrator start --format json` (and `resume --format json`) prints on stdout.",
  },
  "status-output": {
    title: "codex-orchestrator status --format json",
    description: "What `codex-orchestrator status --format json` prints on stdout.",
  },
  "plan-output": {
    title: "codex-orchestrator plan --format json",
    description: "What `codex-orchestrator plan --format json` prints on stdout.",
  },
  "run-list-entry": {
    title: "codex-orchestrator runs --format json entry",
    description: "One entry of what `codex-orchestrator runs --format json` prints on stdout.",
  },
  "run-attestation": {
    title: "codex-orchestrator run attestation",
    description:
      "<runs>/<task>/cli/<run-id>/attestations/NN.dsse.json: a DSSE envelope (Ed25519) whose payload is the run statement (docs/evidence.md).",
  },
  "run-statement": {
    title: "codex-orchestrator run statement",
    description:
      "The in-toto Statement v1 inside a run attestation: every file of the run with its sha256, and a predicate describing the run.",
  },
  "cache-list-entry": {
    title: "codex-orchestrator cache ls --format json entry",
    description: "One entry of what `codex-orchestrator cache ls --format json` prints on stdout.",
  },
  config: {
    title: "codex.orchestrator.json",
    description:
      "The codex-orchestrator configuration at the repo root. Structural only: unique pipeline ids, stage ids and project task ids are checked by validateConfig, not by this schema.",
  },
};

// Pipeline's superRefine rules that JSON Schema can express (keep in step with config.ts); the
// uniqueness checks cannot be expressed and stay zod-only.
const PIPELINE_RULES = {
  $comment: "Stage ids must be unique within a pipeline; validateConfig checks that, this schema cannot.",
  if: { required: ["extends"] },
  then: { not: { required: ["stages"] } },
  else: {
    required: ["title", "stages"],
    not: { anyOf: [{ required: ["before"] }, { required: ["after"] }] },
  },
};

/** The file name of an artifact's JSON Schema inside `schemas/`. */
export function jsonSchemaFileName(name: ArtifactName): string {
  return `${name}.schema.json`;
}

/** Builds the JSON Schema (draft-07) of one artifact, with `$id`, `title` and `description`. */
export function buildJsonSchema(name: ArtifactName): Record<string, unknown> {
  // io "input": the files describe what is on disk, i.e. what the validators accept.
  const generated = z.toJSONSchema(ARTIFACT_SCHEMAS[name], {
    target: "draft-07",
    io: "input",
    override: (context) => {
      if (context.zodSchema === Pipeline) Object.assign(context.jsonSchema, PIPELINE_RULES);
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: `${JSON_SCHEMA_BASE_URL}${jsonSchemaFileName(name)}`,
    ...DOCUMENTATION[name],
    ...rest,
  };
}

/** Renders every artifact's JSON Schema: file name → 2-space JSON text with a trailing newline. */
export function renderJsonSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of Object.keys(ARTIFACT_SCHEMAS) as ArtifactName[]) {
    files[jsonSchemaFileName(name)] = `${JSON.stringify(buildJsonSchema(name), null, 2)}\n`;
  }
  return files;
}

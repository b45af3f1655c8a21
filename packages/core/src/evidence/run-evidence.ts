import path from "node:path";
import type { OrchestratorLocations } from "@codex/orchestrator-persistence";
import type { GitProvenance, Provenance } from "@codex/orchestrator-schema";
import type { Workspace } from "../config/workspace.js";
import { gatherProvenance } from "./provenance.js";
import { loadSigningKey, type SigningKey } from "./signing-key.js";

/** The variable that turns hash chains and attestations off (`off`): a benchmark baseline, an escape hatch. */
export const EVIDENCE_VARIABLE = "CODEX_ORCHESTRATOR_EVIDENCE";

/** What a process records as evidence for the runs it executes (nested runs included). */
export interface RunEvidence {
  /** Hash chains in the logs and an attestation at each end. */
  signed: boolean;
  /** Where this process's runs come from; a nested run shares its parent's. */
  provenance: Provenance;
  /** Null when `signed` is false. */
  key: SigningKey | null;
}

/**
 * Loads the signing key (before anything is written: a bad key is bad input) and gathers the
 * provenance of a start or a resume. The configs named are those that shape the task's plan.
 */
export async function prepareRunEvidence(options: {
  locations: OrchestratorLocations;
  workspace: Workspace;
  taskId: string;
  env: NodeJS.ProcessEnv;
  actor?: string | undefined;
  /** The git state, read while the plan was made (readGitProvenance). */
  git?: Promise<GitProvenance | null>;
}): Promise<RunEvidence> {
  const { locations, workspace, env } = options;
  const signed = env[EVIDENCE_VARIABLE]?.trim().toLowerCase() !== "off";
  const configFiles = [
    ...(workspace.config === null ? [] : [workspace.config.file]),
    ...workspace.projects
      .filter((project) => project.taskId === options.taskId && project.config !== null)
      .map((project) => project.config?.file as string),
    path.join(locations.root, "tasks", "index.json"),
  ];
  const provenance = await gatherProvenance({
    root: locations.root,
    env,
    actor: options.actor,
    configFiles,
    ...(options.git === undefined ? {} : { git: options.git }),
  });
  // After git has looked at the tree: a key created on first use is not a change of the run's code.
  const key = signed ? loadSigningKey({ env, runsDir: locations.runsDir }) : null;
  return { signed, provenance, key };
}

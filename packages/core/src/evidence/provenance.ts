import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { GitProvenance, Provenance } from "@codex/orchestrator-schema";
import packageJson from "../../package.json" with { type: "json" };
import { ActorUnknownError } from "../errors.js";
import { resolveActor } from "../runs/actor.js";
import { readCiProvenance } from "./ci-provenance.js";
import { readGitProvenance } from "./git-provenance.js";

/** Options for {@link gatherProvenance}. */
export interface GatherProvenanceOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  /** `--actor`; else the OS user. */
  actor?: string | undefined;
  /** The config files that shaped the plan (absolute); missing ones are left out. */
  configFiles: readonly string[];
  /** The git state, when its reading was started earlier (it overlaps planning); else read now. */
  git?: Promise<GitProvenance | null>;
}

/**
 * Where a run comes from: git state (null outside a repository), who started it on which host, the
 * CI job, the tools' versions, the OS and the digest of each config file. Gathered once, at start;
 * git's calls run in parallel and are capped in time. Never throws.
 */
export async function gatherProvenance(options: GatherProvenanceOptions): Promise<Provenance> {
  const started = performance.now();
  const git = await (options.git ?? readGitProvenance(options.root, options.env));
  return {
    git,
    actor: actorOrUnknown(options.actor, options.env),
    host: os.hostname(),
    ci: readCiProvenance(options.env),
    orchestrator_version: packageJson.version,
    node_version: process.version,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    config_files: digestConfigFiles(options.root, options.configFiles),
    gathered_ms: Math.round((performance.now() - started) * 10) / 10,
  };
}

function digestConfigFiles(root: string, files: readonly string[]): Provenance["config_files"] {
  const seen = new Set<string>();
  const digests: Provenance["config_files"] = [];
  for (const file of files) {
    if (seen.has(file)) continue;
    seen.add(file);
    let content: Buffer;
    try {
      content = fs.readFileSync(file);
    } catch {
      continue;
    }
    digests.push({
      path: path.relative(root, file).split(path.sep).join("/"),
      sha256: createHash("sha256").update(content).digest("hex"),
    });
  }
  return digests;
}

// Provenance never fails a run: with no user name to be found it records "unknown".
function actorOrUnknown(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  try {
    return resolveActor(explicit, env);
  } catch (error) {
    if (error instanceof ActorUnknownError) return "unknown";
    throw error;
  }
}

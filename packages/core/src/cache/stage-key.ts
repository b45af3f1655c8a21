import path from "node:path";
import { isInside } from "@codex/orchestrator-persistence";
import { digestPaths, digestText, matchPaths } from "./file-digests.js";
import type { StageCacheSpec } from "./stage-cache-spec.js";

/**
 * The orchestrator's cache format: part of every key, so entries of an older layout or key recipe
 * are never read as current ones.
 */
export const CACHE_FORMAT_VERSION = 1;

/** What a stage's key was made of; the entry keeps it so `plan` can say what changed since. */
export interface StageFingerprint {
  key: string;
  /** Digest of the command, its cwd (repo-relative) and the stage's own env values. */
  command: string;
  /** Input path (relative to the repo root) → content digest. */
  inputs: Record<string, string>;
  /** Declared variable → digest of its value (null: unset). Values are never kept. */
  env: Record<string, string | null>;
  /** The stages it needs: id, key (or definition digest for an uncached one) and how they ended. */
  needs: { id: string; key: string; status: string }[];
}

/** Everything a key is computed from. */
export interface StageKeyInput {
  root: string;
  cwd: string;
  command: string;
  /** The stage's own `env` (configured values). */
  stageEnv: Record<string, string>;
  /** The environment the command would see (for the declared names). */
  environment: NodeJS.ProcessEnv;
  spec: StageCacheSpec;
  needs: { id: string; key: string; status: string }[];
  /** Absolute folders never read as inputs (the runs and out directories). */
  excluded: readonly string[];
}

/**
 * The stage's key: sha256 of the format version, the command, cwd and stage env, the declared env
 * values, the content of every input file and the keys of the stages it needs. Files matched by
 * the stage's outputs are never inputs (a restore would change the key), nor are the run folders.
 */
export async function fingerprintStage(input: StageKeyInput): Promise<StageFingerprint> {
  // Version control and installed packages are never walked (the lockfile stands for the latter).
  const ignore = [
    "**/.git",
    "**/node_modules",
    ...input.spec.outputs.filter((glob) => !glob.startsWith("!")),
  ];
  for (const folder of input.excluded) {
    if (!isInside(input.cwd, folder) && !isInside(folder, input.cwd)) continue;
    const relative = toPosix(path.relative(input.cwd, folder));
    if (relative === "") return Promise.reject(new Error(`the stage's cwd is the runs directory`));
    ignore.push(relative);
  }
  const matched = await matchPaths({ cwd: input.cwd, patterns: input.spec.inputs, ignore });
  const digests = await digestPaths(input.cwd, matched);
  const inputs: Record<string, string> = {};
  for (const [relative, digest] of digests)
    inputs[toPosix(path.relative(input.root, path.join(input.cwd, relative)))] = digest;
  const env: Record<string, string | null> = {};
  for (const name of [...input.spec.env].sort()) {
    const value = input.stageEnv[name] ?? input.environment[name];
    env[name] = value === undefined ? null : digestText(value);
  }
  const command = digestText(
    JSON.stringify({
      command: input.command,
      cwd: toPosix(path.relative(input.root, input.cwd)) || ".",
      stageEnv: Object.entries(input.stageEnv).sort(([left], [right]) => (left < right ? -1 : 1)),
      inputs: input.spec.inputs,
      outputs: input.spec.outputs,
    }),
  );
  const key = digestText(
    JSON.stringify({ format: CACHE_FORMAT_VERSION, command, env, inputs, needs: input.needs }),
  );
  return { key: `sha256:${key}`, command, inputs, env, needs: input.needs };
}

/** What differs between the fingerprint a stage has now and the one of its last stored entry. */
export function describeChanges(previous: StageFingerprint, current: StageFingerprint): string[] {
  const changes: string[] = [];
  if (previous.command !== current.command) changes.push("command, cwd, stage env or cache globs changed");
  for (const [file, digest] of Object.entries(current.inputs)) {
    const before = previous.inputs[file];
    if (before === undefined) changes.push(`input ${file} added`);
    else if (before !== digest) changes.push(`input ${file} changed`);
  }
  for (const file of Object.keys(previous.inputs))
    if (!(file in current.inputs)) changes.push(`input ${file} removed`);
  const names = new Set([...Object.keys(previous.env), ...Object.keys(current.env)]);
  for (const name of [...names].sort())
    if (previous.env[name] !== current.env[name]) changes.push(`env ${name} changed`);
  const needsBefore = new Map(previous.needs.map((need) => [need.id, need]));
  for (const need of current.needs) {
    const before = needsBefore.get(need.id);
    if (before === undefined) changes.push(`needs ${need.id} (new)`);
    else if (before.key !== need.key || before.status !== need.status)
      changes.push(`need ${need.id} changed`);
  }
  for (const id of needsBefore.keys())
    if (!current.needs.some((need) => need.id === id)) changes.push(`no longer needs ${id}`);
  return changes;
}

/**
 * What the stages a stage needs contribute to its key: their keys (a stage that is not cached
 * contributes a digest of its definition) and whether they succeeded or were skipped.
 */
export function needKeysOf(
  needs: readonly string[],
  lookup: (id: string) => { key: string; skipped: boolean },
): { id: string; key: string; status: string }[] {
  return needs.map((id) => {
    const { key, skipped } = lookup(id);
    return { id, key, status: skipped ? "skipped" : "succeeded" };
  });
}

/** A key stand-in for a stage that is not cached: a digest of its definition and cwd. */
export function definitionKey(definition: unknown, cwd: string, root: string): string {
  return `definition:${digestText(JSON.stringify({ definition, cwd: toPosix(path.relative(root, cwd)) }))}`;
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join("/");
}

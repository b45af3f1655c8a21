import * as z from "zod";

/** The git state of the repository a run started in; null outside a git repository. */
export const GitProvenance = z.looseObject({
  commit: z.string().nullable(),
  /** null on a detached HEAD. */
  branch: z.string().nullable(),
  dirty: z.boolean(),
  /** Files `git status --porcelain` lists (changed, added, deleted, untracked). */
  changed_files: z.int().min(0),
  /** The `origin` remote (else the first one), with any user name or token removed. */
  remote_url: z.string().nullable(),
});
/** The git state of the repository a run started in. */
export type GitProvenance = z.infer<typeof GitProvenance>;

/** The CI job a run started in, when one is recognised. */
export const CiProvenance = z.looseObject({
  provider: z.enum(["github-actions", "gitlab-ci", "buildkite"]),
  run_id: z.string().nullable(),
  workflow: z.string().nullable(),
  ref: z.string().nullable(),
  url: z.string().nullable(),
});
/** The CI job a run started in. */
export type CiProvenance = z.infer<typeof CiProvenance>;

/** Where a run came from: code, person, machine, tools and the configs that shaped its plan. */
export const Provenance = z.looseObject({
  git: GitProvenance.nullable(),
  actor: z.string().min(1),
  host: z.string(),
  ci: CiProvenance.nullable(),
  orchestrator_version: z.string().nullable(),
  node_version: z.string(),
  os: z.string(),
  /** sha256 of every config file that shaped the plan, by path from the repository root. */
  config_files: z.array(z.looseObject({ path: z.string().min(1), sha256: z.string() })),
  /** How long gathering it took. */
  gathered_ms: z.number().min(0),
});
/** Where a run came from. */
export type Provenance = z.infer<typeof Provenance>;

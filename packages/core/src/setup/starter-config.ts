import fs from "node:fs";
import path from "node:path";
import { findTaskIdProblem } from "@codex/orchestrator-persistence";
import type { CommandStage, OrchestratorConfig } from "@codex/orchestrator-schema";
import type { RepositoryPackages, WorkspacePackage } from "./workspace-packages.js";

/** The scripts a starter pipeline runs, in this order, where a package defines them. */
export const STARTER_SCRIPTS = ["build", "typecheck", "lint", "test"] as const;

/** Where editors find the config's JSON Schema once the schema package is installed. */
export const INSTALLED_SCHEMA_PATH = "./node_modules/@codex/orchestrator-schema/schemas/config.schema.json";

/** The id of the pipeline a starter config defines and makes the default. */
export const STARTER_PIPELINE_ID = "check";

/** The root scripts the built-in `diagnostics` pipeline already runs (`npm run <script>`). */
const DIAGNOSTICS_SCRIPTS: readonly string[] = ["build", "lint", "test"];

/**
 * A starter `codex.orchestrator.json` for a repository: the root registered as one project with
 * an explicit task id, and a `check` pipeline that extends the built-in `diagnostics` (root build,
 * lint and test, each skipped when the root lacks it, then the spec guard) with, before them,
 * what the root does not cover: its typecheck, and each workspace package's build, typecheck,
 * lint and test. With nothing to add, the default stays `diagnostics`.
 */
export function buildStarterConfig(options: { root: string; found: RepositoryPackages }): OrchestratorConfig {
  const { root, found } = options;
  const before = starterStages(found);
  const rootPackage = found.root;
  return {
    $schema: schemaPath(root),
    defaultPipeline: before.length === 0 ? "diagnostics" : STARTER_PIPELINE_ID,
    projects: [
      {
        taskId: starterTaskId(root, rootPackage),
        path: ".",
        ...(rootPackage?.name ? { name: rootPackage.name } : {}),
      },
    ],
    pipelines:
      before.length === 0
        ? []
        : [
            {
              id: STARTER_PIPELINE_ID,
              title: "Check",
              description: `The workspace packages' scripts (${found.packageManager}), then diagnostics: the root's build, lint and test and the spec guard.`,
              extends: "diagnostics",
              before,
            },
          ],
  };
}

function starterStages(found: RepositoryPackages): CommandStage[] {
  const stages: CommandStage[] = [];
  const usedIds = new Set<string>(DIAGNOSTICS_SCRIPTS);
  usedIds.add("spec-guard");
  for (const script of STARTER_SCRIPTS) {
    const title = `${script.charAt(0).toUpperCase()}${script.slice(1)}`;
    if (found.root?.scripts.includes(script)) {
      if (DIAGNOSTICS_SCRIPTS.includes(script)) continue;
      stages.push({
        kind: "command",
        id: uniqueId(script, usedIds),
        title,
        command: `${found.packageManager} run ${script}`,
      });
      continue;
    }
    for (const pkg of found.packages.filter((candidate) => candidate.scripts.includes(script))) {
      stages.push({
        kind: "command",
        id: uniqueId(`${script}-${slug(path.posix.basename(pkg.path))}`, usedIds),
        title: `${title} ${pkg.name ?? pkg.path}`,
        command: `${found.packageManager} run ${script}`,
        cwd: pkg.path,
      });
    }
  }
  return stages;
}

/** The task id runs of the repository are filed under: its package name, else its folder name. */
export function starterTaskId(root: string, rootPackage: WorkspacePackage | null): string {
  for (const candidate of [rootPackage?.name?.replace(/^@[^/]+\//, ""), path.basename(root)]) {
    if (candidate === undefined) continue;
    const id = slug(candidate);
    if (id !== "" && findTaskIdProblem(id) === null) return id;
  }
  return "main";
}

// The installed schema package's file when there is one, this repository's own, else the
// path the schema package will have once installed.
function schemaPath(root: string): string {
  const candidates = [INSTALLED_SCHEMA_PATH, "./packages/schema/schemas/config.schema.json"];
  return candidates.find((candidate) => fs.existsSync(path.join(root, candidate))) ?? INSTALLED_SCHEMA_PATH;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-._]+|[-._]+$/g, "");
}

function uniqueId(id: string, used: Set<string>): string {
  let candidate = id;
  for (let suffix = 2; used.has(candidate); suffix += 1) candidate = `${id}-${suffix}`;
  used.add(candidate);
  return candidate;
}

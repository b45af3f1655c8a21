import fs from "node:fs";
import path from "node:path";
import type { LocalCompatRecord, McpCompatPointer } from "@codex/orchestrator-schema";
import { type OrchestratorLocations, type RunPaths, toRepoPath } from "./run-paths.js";
import { ensureDirectoryInside, writeJsonAtomic } from "../files/safe-fs.js";

/** What {@link writeCompatPointers} left on disk. */
export interface CompatPointers {
  /** Repo-relative path of the MCP pointer (`manifest.compat_path`). */
  compatPath: string;
  /** Whether local-mcp got a real symlink or a JSON stub. */
  pointer: "symlink" | "stub";
}

/**
 * Writes the pointers older MCP tooling reads (docs/contract.md §3): `<task>/mcp/<run>/manifest.json`,
 * `local-mcp/<run>/manifest.json` (a relative symlink, or a JSON stub where links fail) and
 * `local-mcp/<run>/compat.json`. Safe to call again on resume.
 */
export function writeCompatPointers(
  locations: OrchestratorLocations,
  paths: RunPaths,
  now: Date = new Date(),
): CompatPointers {
  const createdAt = now.toISOString();
  const manifest = toRepoPath(locations.root, paths.manifest);
  const artifactRoot = toRepoPath(locations.root, paths.runDir);

  ensureDirectoryInside(paths.mcpDir, locations.runsDir);
  const mcpPointer: McpCompatPointer = {
    redirect_to: artifactRoot,
    manifest,
    created_at: createdAt,
    note: "Compatibility pointer for MCP tooling; the codex-orchestrator CLI run lives at redirect_to.",
  };
  writeJsonAtomic(paths.mcpPointer, mcpPointer);

  ensureDirectoryInside(paths.localMcpDir, locations.runsDir);
  const pointer = linkOrStub(paths, manifest, artifactRoot, createdAt);
  const compat: LocalCompatRecord = { artifact_root: artifactRoot, manifest, pointer, created_at: createdAt };
  writeJsonAtomic(paths.localMcpCompat, compat);
  return { compatPath: toRepoPath(locations.root, paths.mcpPointer), pointer };
}

function linkOrStub(
  paths: RunPaths,
  manifest: string,
  artifactRoot: string,
  createdAt: string,
): "symlink" | "stub" {
  const target = path.relative(paths.localMcpDir, paths.manifest);
  try {
    const existing = fs.lstatSync(paths.localMcpManifest, { throwIfNoEntry: false });
    if (existing?.isSymbolicLink() && fs.readlinkSync(paths.localMcpManifest) === target) return "symlink";
    if (existing !== undefined) fs.rmSync(paths.localMcpManifest, { force: true });
    fs.symlinkSync(target, paths.localMcpManifest);
    return "symlink";
  } catch {
    writeJsonAtomic(paths.localMcpManifest, {
      redirect_to: artifactRoot,
      manifest,
      created_at: createdAt,
      note: "Symbolic links are unavailable here; read the manifest at the path above.",
    });
    return "stub";
  }
}

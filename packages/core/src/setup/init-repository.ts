import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "@codex/orchestrator-persistence";
import { validateConfig, type OrchestratorConfig } from "@codex/orchestrator-schema";
import { InitRefusedError } from "../errors.js";
import { withIgnoreEntries } from "./gitignore-entries.js";
import { buildStarterConfig } from "./starter-config.js";
import { findRepositoryPackages, type RepositoryPackages } from "./workspace-packages.js";

/** What {@link initRepository} wrote. */
export interface InitResult {
  root: string;
  /** The config file written (absolute). */
  configFile: string;
  config: OrchestratorConfig;
  /** True when an existing config was replaced (`force`). */
  replaced: boolean;
  /** The `.gitignore` entries added (none when it already listed them). */
  gitignoreAdded: string[];
  found: RepositoryPackages;
}

/**
 * Writes a starter `codex.orchestrator.json` suited to the repository at `root` and adds `.runs/`
 * and `out/` to its `.gitignore`. Refuses to replace an existing config unless `force`; each
 * file is written whole (temp file + rename), and a refusal changes nothing.
 */
export function initRepository(options: { root: string; force?: boolean }): InitResult {
  const root = path.resolve(options.root);
  const configFile = path.join(root, "codex.orchestrator.json");
  const replaced = fs.existsSync(configFile);
  if (replaced && options.force !== true) throw new InitRefusedError(configFile);
  const found = findRepositoryPackages(root);
  const config = buildStarterConfig({ root, found });
  // What init writes, the engine must accept: checked before anything is written.
  const validation = validateConfig(config);
  if (!validation.valid)
    throw new Error(`unreachable: starter config is invalid: ${JSON.stringify(validation.errors)}`);
  const gitignore = withIgnoreEntries(root);
  writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`);
  if (gitignore !== null) writeFileAtomic(path.join(root, ".gitignore"), gitignore.text);
  return { root, configFile, config, replaced, gitignoreAdded: gitignore?.added ?? [], found };
}

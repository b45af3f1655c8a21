import fs from "node:fs";
import path from "node:path";
import { BUILT_IN_SOURCE } from "../../config/pipeline-registry.js";
import type { PlanItem } from "../../plan/command-planner.js";

const NPM_RUN = /^npm run ([A-Za-z0-9@:._/-]+)$/;

/**
 * Why a built-in `npm run <script>` stage has nothing to run, or null: its folder's package.json
 * does not define the script (or there is none). Such a stage is skipped with this as its summary
 * rather than failed, so the default pipeline works in any repository. Stages a config writes
 * run as written: there a missing script is a mistake worth failing on.
 */
export function missingNpmScript(item: PlanItem): string | null {
  const stage = item.stage;
  if (stage.kind !== "command" || !item.origin.startsWith(BUILT_IN_SOURCE)) return null;
  const script = NPM_RUN.exec(stage.command.trim())?.[1];
  if (script === undefined) return null;
  let text: string;
  try {
    text = fs.readFileSync(path.join(item.cwd, "package.json"), "utf8");
  } catch {
    return `no package.json, so no "${script}" script`;
  }
  let scripts: unknown;
  try {
    scripts = (JSON.parse(text) as { scripts?: unknown } | null)?.scripts;
  } catch {
    return null; // npm says what is wrong with it
  }
  const defined =
    typeof scripts === "object" &&
    scripts !== null &&
    typeof (scripts as Record<string, unknown>)[script] === "string";
  return defined ? null : `no "${script}" script in package.json`;
}

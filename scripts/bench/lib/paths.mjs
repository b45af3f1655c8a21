// Where the benchmark finds what it runs: the repository, the BUILT CLI and the RSS probe.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = path.resolve(benchDir, "../..");
/** What the installed `codex-orchestrator` bin runs. */
export const cli = path.join(repoRoot, "apps/cli/dist/bin.js");
export const rssProbe = path.join(benchDir, "rss-probe.mjs");

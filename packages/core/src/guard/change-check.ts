import { execFileSync } from "node:child_process";
import { SpecGuardUsageError } from "../errors.js";

/** The environment variable that names the base revision. */
export const BASE_VARIABLE = "SPEC_GUARD_BASE";
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const SOURCE = /^(packages|apps|scripts)\//;
const NOT_SOURCE =
  /(^|\/)(test|tests|__tests__|docs)\/|\.(test|spec)\.[^/]+$|\.md$|(^|\/)(README|CHANGELOG|LICENSE)[^/]*$/;
const SPEC = /^tasks\/specs\/|^tasks\/index\.json$/;

/** The outcome of the change check: skipped outside git, else its problems. */
export type ChangeCheckResult = { skipped: true; note: string } | { skipped: false; problems: string[] };

/**
 * Source files changed under `packages/`, `apps/` or `scripts/` need a change under `tasks/specs/`
 * or to `tasks/index.json`: committed, staged, unstaged and untracked changes since the base.
 */
export function checkSourceChanges(options: {
  root: string;
  /** `--base`, else `SPEC_GUARD_BASE`: where the revision came from and what it is. */
  base: { source: string; revision: string } | null;
}): ChangeCheckResult {
  const { root } = options;
  if (git(root, ["rev-parse", "--is-inside-work-tree"])?.trim() !== "true") {
    // A revision asked for on the command line is an error here; one from the environment is not.
    if (options.base !== null && options.base.source !== BASE_VARIABLE)
      throw new SpecGuardUsageError(`${options.base.source} given but ${root} is not a git work tree`);
    return { skipped: true, note: "not a git work tree; skipping the source-vs-spec change check" };
  }
  const { base, label } = chooseBase(root, options.base);
  const diff = git(root, ["diff", "--relative", "--no-renames", "--name-only", base, "--"]);
  const untracked = diff === null ? null : git(root, ["ls-files", "--others", "--exclude-standard"]);
  if (diff === null || untracked === null)
    return { skipped: false, problems: [`[changes] cannot list changes against ${label}`] };
  const changed = `${diff}\n${untracked}`.split("\n").filter((line) => line !== "");
  const sources = [...new Set(changed.filter((file) => SOURCE.test(file) && !NOT_SOURCE.test(file)))].sort();
  const specs = changed.filter((file) => SPEC.test(file));
  if (sources.length === 0 || specs.length > 0) return { skipped: false, problems: [] };
  const listed = sources.slice(0, 5).join(", ") + (sources.length > 5 ? ", ..." : "");
  return {
    skipped: false,
    problems: [
      `[changes] ${sources.length} source file(s) changed since ${label} without a change under tasks/specs/ or to tasks/index.json: ${listed}`,
    ],
  };
}

function chooseBase(
  root: string,
  requested: { source: string; revision: string } | null,
): { base: string; label: string } {
  if (requested !== null) {
    const base = verify(root, `${requested.revision}^{commit}`);
    if (base === null)
      throw new SpecGuardUsageError(`${requested.source}: unknown git revision "${requested.revision}"`);
    return { base, label: requested.revision };
  }
  if (verify(root, "origin/main^{commit}") !== null) {
    const mergeBase = git(root, ["merge-base", "HEAD", "origin/main"])?.trim();
    if (mergeBase) return { base: mergeBase, label: "merge-base with origin/main" };
  }
  const previous = verify(root, "HEAD~1^{commit}");
  if (previous !== null) return { base: previous, label: "HEAD~1" };
  const head = verify(root, "HEAD^{commit}");
  if (head !== null) return { base: head, label: "HEAD (working-tree changes)" };
  return { base: EMPTY_TREE, label: "no commits yet (all files)" };
}

function verify(root: string, revision: string): string | null {
  return git(root, ["rev-parse", "--verify", "--quiet", revision])?.trim() || null;
}

// Git's output, or null when it fails (or is not installed).
function git(root: string, args: readonly string[]): string | null {
  try {
    return execFileSync("git", ["-C", root, "-c", "core.quotepath=off", ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return null;
  }
}

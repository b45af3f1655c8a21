import path from "node:path";
import { describe, expect, it } from "vitest";
import { commitAll, configureGitIdentity, git, initGitRepository } from "../helpers/git.js";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";
import { runBash, writeTaskProject } from "./support.js";

const TODAY = "2026-11-24";

function specGuard(root: string, args: string[] = [], env: Record<string, string> = {}) {
  return runBash("spec-guard.sh", args, { cwd: root, env: { SPEC_GUARD_TODAY: TODAY, ...env } });
}

/** A git repository with a task project and some source in its first commit. */
function repositoryWithProject(): string {
  const root = tempDir();
  initGitRepository(root);
  writeTaskProject(root);
  writeFiles(root, { "packages/core/src/engine.ts": "export const engine = 1;\n" });
  commitAll(root, "initial");
  return root;
}

describe("spec-guard.sh", () => {
  it("passes a clean repository and prints the number of checks", () => {
    const root = repositoryWithProject();

    const result = specGuard(root);

    expect(result.stdout).toContain("spec-guard: OK (3 checks)");
    expect(result.status).toBe(0);
  });

  describe("(a) source changes need a spec change", () => {
    it("fails when the last commit changed source without touching tasks/specs or tasks/index.json", () => {
      const root = repositoryWithProject();
      writeFiles(root, { "packages/core/src/engine.ts": "export const engine = 2;\n" });
      commitAll(root, "change the engine");

      const result = specGuard(root);

      expect(result.status).toBe(1);
      expect(result.stdout).toContain(
        "spec-guard: [changes] 1 source file(s) changed since HEAD~1 without a change under tasks/specs/ or to tasks/index.json: packages/core/src/engine.ts",
      );
      expect(result.stdout.trim().split("\n").at(-1)).toBe("spec-guard: 1 problem(s) found");
    });

    it("passes when the same change also updates a spec", () => {
      const root = repositoryWithProject();
      writeFiles(root, {
        "packages/core/src/engine.ts": "export const engine = 2;\n",
        "tasks/specs/0101-demo.md": `---\nid: "0101"\nlast_review: ${TODAY}\n---\n\n# Demo, revised\n`,
      });
      commitAll(root, "change the engine and its spec");

      const result = specGuard(root);

      expect(result.stdout).toContain("spec-guard: OK (3 checks)");
      expect(result.status).toBe(0);
    });

    it("ignores tests and docs under packages/ and apps/", () => {
      const root = repositoryWithProject();
      writeFiles(root, {
        "packages/core/src/engine.test.ts": "test\n",
        "apps/cli/test/run.test.ts": "test\n",
        "packages/core/README.md": "# core\n",
      });
      commitAll(root, "tests and docs");

      expect(specGuard(root).status).toBe(0);
    });

    it("in a fresh clone with one commit, checks working-tree changes against HEAD", () => {
      const root = repositoryWithProject();
      writeFiles(root, { "scripts/new-tool.mjs": "console.log(1);\n" });

      const result = specGuard(root);

      expect(result.status).toBe(1);
      expect(result.stdout).toContain(
        "changed since HEAD (working-tree changes) without a change under tasks/specs/",
      );
      expect(result.stdout).toContain("scripts/new-tool.mjs");
    });

    it("uses --base instead of HEAD~1 and rejects an unknown revision", () => {
      const root = repositoryWithProject();
      writeFiles(root, { "packages/core/src/engine.ts": "export const engine = 2;\n" });
      writeTaskProject(root, { lastReview: "2026-11-23" });
      commitAll(root, "source and spec change");
      writeFiles(root, { "packages/core/src/engine.ts": "export const engine = 3;\n" });
      commitAll(root, "source change only");

      // HEAD~1 sees only the last, unmatched change; from HEAD~2 the spec change is in range.
      expect(specGuard(root).status).toBe(1);
      expect(specGuard(root, ["--base", "HEAD~2"]).status).toBe(0);
      expect(specGuard(root, ["--base=HEAD~2"]).status).toBe(0);
      const badFlag = specGuard(root, ["--base", "no-such-rev"]);
      const badEnv = specGuard(root, [], { SPEC_GUARD_BASE: "no-such-rev" });

      expect(badFlag.status).toBe(2);
      expect(badFlag.stderr).toContain('spec-guard: --base: unknown git revision "no-such-rev"');
      expect(badEnv.status).toBe(2);
      expect(badEnv.stderr).toContain('spec-guard: SPEC_GUARD_BASE: unknown git revision "no-such-rev"');
    });

    it("in a clone, compares against the merge-base with origin/main", () => {
      const upstream = repositoryWithProject();
      const clone = path.join(tempDir(), "clone");
      git(upstream, "clone", "--quiet", upstream, clone);
      configureGitIdentity(clone);
      git(clone, "checkout", "--quiet", "-b", "feature");
      writeFiles(clone, { "packages/core/src/engine.ts": "export const engine = 2;\n" });
      writeTaskProject(clone, { lastReview: "2026-11-23" });
      commitAll(clone, "source and spec change");
      writeFiles(clone, { "packages/core/src/engine.ts": "export const engine = 3;\n" });
      commitAll(clone, "source change only");

      const result = specGuard(clone);

      // HEAD~1 alone would fail; the whole branch since origin/main carries a spec change.
      expect(result.stdout).toContain("spec-guard: OK (3 checks)");
      expect(result.status).toBe(0);
    });

    it("SPEC_GUARD_BASE selects the range to check", () => {
      const root = repositoryWithProject();
      writeFiles(root, { "packages/core/src/engine.ts": "export const engine = 2;\n" });
      commitAll(root, "source change");
      writeFiles(root, { "docs/notes.md": "notes\n" });
      commitAll(root, "docs only");

      // HEAD~1 (the default) sees only the docs commit; HEAD~2 also sees the unmatched source change.
      expect(specGuard(root).status).toBe(0);
      const result = specGuard(root, [], { SPEC_GUARD_BASE: "HEAD~2" });

      expect(result.status).toBe(1);
      expect(result.stdout).toContain("since HEAD~2 without a change");
    });

    it("skips the change check with a note outside git and still runs the others", () => {
      const root = tempDir();
      writeTaskProject(root);
      writeFiles(root, { "packages/core/src/engine.ts": "export const engine = 1;\n" });

      const result = specGuard(root);

      expect(result.stdout).toContain(
        "spec-guard: note: not a git work tree; skipping the source-vs-spec change check",
      );
      expect(result.stdout).toContain("spec-guard: OK (2 checks)");
      expect(result.status).toBe(0);
    });
  });

  describe("(b) specs reviewed recently", () => {
    it("fails when a spec's last_review is older than 30 days", () => {
      const root = repositoryWithProject();

      const fresh = specGuard(root, [], { SPEC_GUARD_TODAY: "2026-12-20" });
      const stale = specGuard(root, [], { SPEC_GUARD_TODAY: "2026-12-21" });

      // The fixture reviewed 2026-11-20: 30 days later is still fine, 31 is not.
      expect(fresh.status).toBe(0);
      expect(stale.status).toBe(1);
      expect(stale.stdout).toContain(
        "spec-guard: [review] tasks/specs/0101-demo.md:3: last_review 2026-11-20 is 31 days old (limit 30)",
      );
      expect(stale.stdout).toContain(
        "spec-guard: [review] tasks/index.json (task 0101): last_review 2026-11-20 is 31 days old (limit 30)",
      );
      expect(stale.stdout).toContain("spec-guard: 2 problem(s) found");
    });

    it("honours SPEC_GUARD_MAX_AGE_DAYS and reports a spec without last_review", () => {
      const root = repositoryWithProject();

      const strict = specGuard(root, [], { SPEC_GUARD_MAX_AGE_DAYS: "3" });
      writeFiles(root, { "tasks/specs/0102-other.md": "# No front matter\n" });
      const missing = specGuard(root);
      const badAge = specGuard(root, [], { SPEC_GUARD_MAX_AGE_DAYS: "soon" });

      expect(strict.status).toBe(1);
      expect(strict.stdout).toContain("is 4 days old (limit 3)");
      expect(missing.status).toBe(1);
      expect(missing.stdout).toContain(
        "spec-guard: [review] tasks/specs/0102-other.md:1: no last_review in the front matter",
      );
      expect(badAge.status).toBe(2);
    });
  });

  describe("(c) mirrors agree", () => {
    it("fails with the mirror check's findings", () => {
      const root = repositoryWithProject();
      writeTaskProject(root, { mirrorItems: { agent: [{ text: "Schema package" }] } });
      commitAll(root, "drop an item from the agent mirror");

      const result = specGuard(root);

      expect(result.status).toBe(1);
      expect(result.stdout).toContain(
        'spec-guard: [mirrors] .agent/task/0101-demo.md:1: task 0101: item missing: "Engine with telemetry"',
      );
    });
  });

  it("--dry-run prints the findings but exits 0", () => {
    const root = repositoryWithProject();
    writeTaskProject(root, { mirrorItems: { plan: [] } });

    const result = specGuard(root, ["--dry-run"], { SPEC_GUARD_TODAY: "2027-03-01" });

    expect(result.status).toBe(0);
    expect(result.stdout).toContain("spec-guard: [review]");
    expect(result.stdout).toContain("spec-guard: [mirrors]");
    expect(result.stdout).toMatch(/spec-guard: \d+ problem\(s\) found \(dry run: not failing\)\n$/);
  });

  it("checks CODEX_ORCHESTRATOR_ROOT from any cwd and names the task", () => {
    const root = repositoryWithProject();
    const elsewhere = tempDir();

    const result = specGuard(elsewhere, [], { CODEX_ORCHESTRATOR_ROOT: root, MCP_RUNNER_TASK_ID: "0101" });

    expect(result.stdout).toContain(`spec-guard: checking ${root} (task 0101)`);
    expect(result.status).toBe(0);
  });

  it("finds the git top level from a subdirectory", () => {
    const root = repositoryWithProject();

    const result = specGuard(`${root}/packages/core`);

    expect(result.stdout).toContain(`spec-guard: checking ${root}`);
    expect(result.status).toBe(0);
  });

  it("rejects unknown arguments with exit 2 and prints usage on --help", () => {
    const root = tempDir();

    const bad = specGuard(root, ["--fast"]);
    const help = specGuard(root, ["--help"]);

    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('spec-guard: unknown argument "--fast"');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("usage: spec-guard.sh [--dry-run] [--base <git-rev>]");
  });
});

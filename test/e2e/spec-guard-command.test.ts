import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliJson } from "../helpers/cli.js";
import { commitAll, initGitRepository } from "../helpers/git.js";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";

const TODAY = { SPEC_GUARD_TODAY: "2026-11-24" };

interface GuardOutput {
  ok: boolean;
  dry_run: boolean;
  root: string;
  checks: number;
  problems: string[];
  notes: string[];
}

describe("codex-orchestrator spec-guard", () => {
  it("checks any repository: without task records only the review check runs, and it passes", () => {
    const root = tempDir();
    initGitRepository(root);
    writeFiles(root, { "packages/a/index.js": "export {};\n" });
    commitAll(root, "initial");

    const text = runCli(root, ["spec-guard"], {
      cwd: path.join(root, "packages/a"),
      env: { ...TODAY, CODEX_ORCHESTRATOR_ROOT: "" },
    });

    expect(text.status).toBe(0);
    expect(text.stdout).toBe(
      `spec-guard: checking ${root}\nspec-guard: note: no tasks/index.json or tasks/specs/; only the review check runs\nspec-guard: OK (1 checks)\n`,
    );
  });

  it("reports findings as JSON; exit 1, or 0 with --dry-run", () => {
    const root = tempDir();
    writeFiles(root, { "tasks/specs/0101-demo.md": "---\nlast_review: 2026-01-01\n---\n" });

    const strict = runCliJson<GuardOutput>(root, ["spec-guard"], { env: TODAY });
    const dryRun = runCliJson<GuardOutput>(root, ["spec-guard", "--dry-run"], { env: TODAY });

    expect(strict.status).toBe(1);
    expect(strict.json).toMatchObject({ ok: false, dry_run: false, root, checks: 2 });
    expect(strict.json.problems).toEqual([
      "[review] tasks/specs/0101-demo.md:2: last_review 2026-01-01 is 327 days old (limit 30)",
      "[mirrors] tasks/index.json: task index not found",
    ]);
    expect(dryRun.status).toBe(0);
    expect(dryRun.json).toMatchObject({ ok: false, dry_run: true });

    const text = runCli(root, ["spec-guard", "--dry-run"], { env: TODAY });
    expect(text.stdout.trim().split("\n").at(-1)).toBe(
      "spec-guard: 2 problem(s) found (dry run: not failing)",
    );
  });

  it("answers bad settings with one line on stderr and exit 2", () => {
    const root = tempDir();
    initGitRepository(root);
    writeFiles(root, { "tasks/index.json": '{ "items": [] }\n' });
    commitAll(root, "initial");

    const badBase = runCli(root, ["spec-guard", "--base", "no-such-rev"]);
    const badAge = runCli(root, ["spec-guard"], { env: { SPEC_GUARD_MAX_AGE_DAYS: "soon" } });

    expect(badBase.status).toBe(2);
    expect(badBase.stderr.split("\n")[0]).toBe('spec-guard: --base: unknown git revision "no-such-rev"');
    expect(badAge.status).toBe(2);
    expect(badAge.stderr.split("\n")[0]).toBe(
      'spec-guard: SPEC_GUARD_MAX_AGE_DAYS must be a whole number of days, got "soon"',
    );
  });
});

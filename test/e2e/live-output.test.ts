import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { assertCliBuilt, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { command, pipeline, tempRepo } from "./support.js";

beforeAll(() => assertCliBuilt());

// Two sibling subpipelines (one nesting a third run) and a failing command beside them.
function treeRepo(): string {
  return tempRepo({
    pipelines: [
      {
        ...pipeline("tree", [
          command("build", "echo built; echo careful >&2"),
          { kind: "subpipeline", id: "first", title: "First", pipeline: "leaf", needs: ["build"] },
          { kind: "subpipeline", id: "second", title: "Second", pipeline: "middle", needs: ["first"] },
          command("test", "echo test one; echo test two; echo failing >&2; exit 3", { needs: ["second"] }),
          command("package", "echo packaged", { needs: ["test"] }),
        ]),
      },
      pipeline("middle", [{ kind: "subpipeline", id: "inner", title: "Inner", pipeline: "leaf" }]),
      pipeline("leaf", [command("work", "echo working")]),
    ],
  });
}

function lines(text: string): string[] {
  return text.split("\n");
}

describe("progress when stderr is not a terminal", () => {
  it("streams each stage's output prefixed with its id, stderr marked, child runs at their depth", () => {
    const root = treeRepo();

    const result = runCli(root, ["start", "tree"]);

    expect(result.status).toBe(1);
    const stderr = lines(result.stderr);
    expect(stderr).toContain("[build] built");
    expect(stderr).toContain("[build]! careful");
    expect(stderr).toContain("[test]! failing");
    // Siblings at one level, the nested run one deeper, and subpipelines get start and end lines.
    const progress = stderr.slice(
      0,
      stderr.findIndex((line) => line.startsWith("Summary:")),
    );
    const tree = progress.filter((line) =>
      /↳ child run|\[\d\] (first|second|inner|work)\b|\[work\]/.test(line),
    );
    expect(tree.map((line) => line.replace(/run \S+:/, "run <id>:").replace(/\d+\.\ds$/, "<t>"))).toEqual([
      "▶ [2] first",
      "  ↳ child run <id>: leaf (task 0101)",
      "  ▶ [1] work",
      "  [work] working",
      "  ✔ [1] work <t>",
      "✔ [2] first <t>",
      "▶ [3] second",
      "  ↳ child run <id>: middle (task 0101)",
      "  ▶ [1] inner",
      "    ↳ child run <id>: leaf (task 0101)",
      "    ▶ [1] work",
      "    [work] working",
      "    ✔ [1] work <t>",
      "  ✔ [1] inner <t>",
      "✔ [3] second <t>",
    ]);
  });

  it("ends with a summary: a row per stage, the counts, the failed stage's last lines, the next command", () => {
    const root = treeRepo();

    const result = runCli(root, ["start", "tree"]);

    const stderr = result.stderr;
    const runId = /^Run started: (\S+)$/m.exec(result.stdout)?.[1];
    expect(stderr).toMatch(/^Summary: tree failed in \d+\.\ds$/m);
    expect(stderr).toMatch(/^ {2}✔ \[1\] build +succeeded +\d+\.\ds$/m);
    expect(stderr).toMatch(/^ {2}✔ \[2\] first +succeeded +\d+\.\ds {2}child run \S+ succeeded$/m);
    expect(stderr).toMatch(/^ {2}✖ \[4\] test +failed +\d+\.\ds {2}exit 3: failing$/m);
    expect(stderr).toMatch(/^ {2}· \[5\] package +not run +— {2}not run: needs test \(failed\)$/m);
    expect(stderr).toMatch(/^ {2}5 stages: 3 succeeded, 1 failed, 1 not run · \d+\.\ds$/m);
    expect(stderr).toContain("Last lines of test:\n  test one\n  test two\n  failing\n");
    expect(stderr.trimEnd().split("\n").at(-1)).toBe(`Resume with: codex-orchestrator resume ${runId}`);
    // stdout keeps exactly the closing lines scripts parse.
    expect(lines(result.stdout.trimEnd()).map((line) => line.split(":")[0])).toEqual([
      "Run started",
      "Status",
      "Detail",
      "Manifest",
      "Log",
    ]);
  });

  it("shows as much output as --output-logs (or CODEX_ORCHESTRATOR_OUTPUT_LOGS) asks", () => {
    const root = treeRepo();

    const none = runCli(root, ["start", "tree", "--output-logs", "none"]);
    expect(none.stderr).not.toMatch(/^\s*\[(build|work|test)\]/m);
    expect(none.stderr).toMatch(/✖ \[4\] test exit 3/);

    const failed = runCli(root, ["start", "tree"], { env: { CODEX_ORCHESTRATOR_OUTPUT_LOGS: "failed" } });
    expect(failed.stderr).not.toContain("[build] built");
    expect(failed.stderr).toMatch(
      /✖ \[4\] test exit 3 \d+\.\ds\n\[test\] test one\n\[test\] test two\n\[test\]! failing\n/,
    );

    // The flag wins over the environment.
    const full = runCli(root, ["start", "tree", "--output-logs=full"], {
      env: { CODEX_ORCHESTRATOR_OUTPUT_LOGS: "none" },
    });
    expect(full.stderr).toContain("[build] built");
  });

  it("refuses an unknown --output-logs value with exit 2, before anything is written", () => {
    const root = treeRepo();

    const flag = runCli(root, ["start", "tree", "--output-logs", "loud"]);
    const env = runCli(root, ["start", "tree"], { env: { CODEX_ORCHESTRATOR_OUTPUT_LOGS: "all" } });

    expect(flag.status).toBe(2);
    expect(flag.stderr).toBe(
      'codex-orchestrator: Invalid --output-logs "loud": expected full, failed, none\n',
    );
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('Invalid CODEX_ORCHESTRATOR_OUTPUT_LOGS "all"');
    expect(existsSync(path.join(root, ".runs"))).toBe(false);
  });

  it("colours only when asked: FORCE_COLOR off a terminal, never with NO_COLOR alone", () => {
    const root = tempRepo({ pipelines: [pipeline("ok", [command("one", "echo one")])] });

    const plain = runCli(root, ["start", "ok"], { env: { NO_COLOR: "1" } });
    const forced = runCli(root, ["start", "ok"], { env: { FORCE_COLOR: "1" } });
    const forcedOff = runCli(root, ["start", "ok"], { env: { NO_COLOR: "", FORCE_COLOR: "0" } });

    expect(plain.stderr).not.toContain("\u001b[");
    expect(forced.stderr).toContain("\u001b[32m✔\u001b[39m [1] one");
    expect(forcedOff.stderr).not.toContain("\u001b[");
    // stdout stays plain for scripts either way.
    expect(forced.stdout).not.toContain("\u001b[");
  });
});

describe("under GitHub Actions", () => {
  it("folds each stage's output into a group, annotates the failure and appends a job summary", () => {
    const root = treeRepo();
    const summaryFile = path.join(tempDir(), "step-summary.md");
    writeFileSync(summaryFile, "## Earlier step\n");

    const result = runCli(root, ["start", "tree"], {
      env: { GITHUB_ACTIONS: "true", CI: "true", GITHUB_STEP_SUMMARY: summaryFile },
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^::group::✔ \[1\] build \d+\.\ds\nbuilt\n! careful\n::endgroup::$/m);
    expect(result.stderr).toMatch(
      /^::group::✖ \[4\] test exit 3 \d+\.\ds\ntest one\ntest two\n! failing\n::endgroup::$/m,
    );
    expect(result.stderr).toContain(
      "::error title=Stage test failed::exit 3%0Atest one%0Atest two%0Afailing\n",
    );
    const runId = /^Run started: (\S+)$/m.exec(result.stdout)?.[1];
    const summary = readFileSync(summaryFile, "utf8");
    expect(summary.startsWith("## Earlier step\n### codex-orchestrator: tree failed\n")).toBe(true);
    expect(summary).toContain("| 4 | test | failed |");
    expect(summary).toContain("| 5 | package | not run | — | not run: needs test (failed) |");
    expect(summary).toContain("```\ntest one\ntest two\nfailing\n```");
    expect(summary).toContain(`Next: \`codex-orchestrator resume ${runId}\``);
  });
});

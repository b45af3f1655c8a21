import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_BIN, runCli } from "../helpers/cli.js";
import { command, pipeline, tempRepo } from "./support.js";

const CONFIG = { pipelines: [pipeline("ok", [command("one", "true")])] };

describe("the command line people expect", () => {
  it.each([
    [["stat"], "Unknown argument: stat (did you mean status?)"],
    [["strat"], "Unknown argument: strat (did you mean start?)"],
    [["status", "--fromat", "json"], "Unknown argument: --fromat (did you mean --format?)"],
    [["--versoin"], "Unknown argument: --versoin (did you mean --version?)"],
    [["runs", "--limt", "3"], "Unknown argument: --limt (did you mean --limit?)"],
    [["help", "stat"], "Unknown command: stat (did you mean status?)"],
  ])("suggests what `%s` meant, in one line, exit 2", (args, message) => {
    const root = tempRepo(CONFIG);
    const result = runCli(root, args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`codex-orchestrator: ${message}\n`);
  });

  it.each([
    [["status", "--run", "--run"], "--run given more than once"],
    [["start", "ok", "--format", "json", "--format", "text"], "--format given more than once"],
    [["runs", "--limit", "1", "--limit", "2"], "--limit given more than once"],
  ])("refuses an option given twice (`%s`): one line, exit 2, nothing written", (args, message) => {
    const root = tempRepo(CONFIG);
    const result = runCli(root, args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`codex-orchestrator: ${message}\n`);
    expect(existsSync(path.join(root, ".runs"))).toBe(false);
  });

  it("a word too far from any command gets no guess", () => {
    const result = runCli(tempRepo(CONFIG), ["frobnicate"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "codex-orchestrator: Unknown argument: frobnicate (See codex-orchestrator --help.)\n",
    );
  });

  it("a bare invocation and `help` print the help on stdout and exit 0", () => {
    const root = tempRepo(CONFIG);
    for (const args of [[], ["help"], ["--help"]]) {
      const result = runCli(root, args);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("codex-orchestrator <command> [options]");
      expect(result.stdout).toMatch(/Exit codes:\n {2}0 {4}the run succeeded/);
      expect(result.stdout).toContain("completion");
    }
  });

  it("`help <command>` is `<command> --help`: examples and exit codes included", () => {
    const root = tempRepo(CONFIG);
    const viaHelp = runCli(root, ["help", "runs"]);
    const viaFlag = runCli(root, ["runs", "--help"]);
    expect(viaHelp.status).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toContain("codex-orchestrator runs --limit 20");
    expect(viaHelp.stdout).toContain("--all");
    expect(viaHelp.stdout).toContain("3    the run paused at a manual stage");
    for (const name of ["start", "plan", "resume", "status", "approve"])
      expect(runCli(root, ["help", name]).stdout).toContain(`Examples:\n  codex-orchestrator ${name}`);
  });

  it("`completion` prints a bash script whose completions come from the same binary", () => {
    const root = tempRepo(CONFIG);
    const script = runCli(root, ["completion"]);
    expect(script.status).toBe(0);
    expect(script.stdout).toContain(
      "complete -o bashdefault -o default -F _codex-orchestrator_yargs_completions",
    );

    // The script calls `codex-orchestrator` from PATH: put the built one there and ask bash.
    const bin = path.join(root, "bin");
    mkdirSync(bin);
    const wrapper = path.join(bin, "codex-orchestrator");
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${CLI_BIN}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const complete = (line: string) => {
      const words = line.split(" ");
      const bash = spawnSync(
        "bash",
        [
          "-c",
          `${script.stdout}\nCOMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; ` +
            `_codex-orchestrator_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        {
          cwd: root,
          env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, CODEX_ORCHESTRATOR_ROOT: root },
          encoding: "utf8",
        },
      );
      return bash.stdout.trim().split("\n").sort();
    };
    expect(complete("codex-orchestrator st")).toEqual(["start", "status"]);
    expect(complete("codex-orchestrator runs --li")).toEqual(["--limit"]);
  });

  it("`--version` still answers without the parser", () => {
    const result = runCli(tempRepo(CONFIG), ["--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

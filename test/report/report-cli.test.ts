import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runCli, runCliJson } from "../helpers/cli.js";
import { command, pipeline, tempRepo } from "../helpers/repo.js";
import { snapshotTree } from "../helpers/tree-snapshot.js";

interface StartJson {
  run_id: string;
  artifact_root: string;
}

describe("report and export-otel on the command line", () => {
  test("every run leaves report.html unless --no-report or the config turns it off", () => {
    const root = tempRepo({ pipelines: [pipeline("one", [command("hello", "echo hello")])] });
    const first = runCliJson<StartJson>(root, ["start", "one", "--task", "t1"]).json;
    expect(existsSync(path.join(root, first.artifact_root, "report.html"))).toBe(true);
    const second = runCliJson<StartJson>(root, ["start", "one", "--task", "t1", "--no-report"]).json;
    expect(existsSync(path.join(root, second.artifact_root, "report.html"))).toBe(false);

    const off = tempRepo({
      report: { onRunEnd: false },
      pipelines: [pipeline("one", [command("hello", "echo hello")])],
    });
    const third = runCliJson<StartJson>(off, ["start", "one", "--task", "t1"]).json;
    expect(existsSync(path.join(off, third.artifact_root, "report.html"))).toBe(false);
    // The command writes it on demand, anywhere.
    const out = path.join(off, "reports", "third.html");
    const written = runCliJson<{ file: string; bytes: number }>(off, ["report", third.run_id, "--out", out]);
    expect(written.status).toBe(0);
    expect(written.json.file).toBe(out);
    const page = readFileSync(out, "utf8");
    expect(page).toContain(third.run_id);
    expect(page).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/,
    );
    expect(page).not.toMatch(/<(link|iframe|object|embed)\b|src="http|href="http/);
  });

  test("runs --html writes the page of the runs that match, each linking its report", () => {
    const root = tempRepo({
      pipelines: [pipeline("good", [command("ok", "true")]), pipeline("bad", [command("no", "exit 1")])],
    });
    const good = runCliJson<StartJson>(root, ["start", "good", "--task", "t1", "--no-report"]).json;
    const bad = runCliJson<StartJson>(root, ["start", "bad", "--task", "t1"]).json;
    const out = path.join(root, "failed.html");
    const page = runCliJson<{ file: string; runs: number }>(root, [
      "runs",
      "--html",
      "--status",
      "failed",
      "--out",
      out,
    ]);
    expect(page.status).toBe(0);
    expect(page.json).toMatchObject({ file: out, runs: 1 });
    const html = readFileSync(out, "utf8");
    expect(html).toContain(`data-run="${bad.run_id}"`);
    expect(html).not.toContain(`data-run="${good.run_id}"`);
    expect(html).toContain(`href=".runs/t1/cli/${bad.run_id}/report.html"`);
    // The full index writes the reports that are missing, so that its links work.
    expect(runCli(root, ["report", "--index"]).status).toBe(0);
    expect(existsSync(path.join(root, good.artifact_root, "report.html"))).toBe(true);
  });

  test("bad input is one line and exit 2, with nothing written", () => {
    const root = tempRepo({ pipelines: [pipeline("one", [command("hello", "echo hello")])] });
    const run = runCliJson<StartJson>(root, ["start", "one", "--task", "t1", "--no-report"]).json;
    const before = snapshotTree(root);
    for (const args of [
      ["report", "../escape"],
      ["report", run.run_id, "--index"],
      ["report", run.run_id, "--out", ""],
      ["runs", "--out", "x.html"],
      ["export-otel", run.run_id, "--endpoint", "ftp://collector"],
      ["export-otel"],
    ]) {
      const result = runCli(root, args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
    }
    expect(runCli(root, ["report", "2026-01-01T00-00-00-000Z-00000000"]).status).not.toBe(0);
    expect(snapshotTree(root)).toEqual(before);
  });

  test("a bad otel setting in the config is reported where it is", () => {
    const root = tempRepo({
      otel: { endpoint: "not a url" },
      pipelines: [pipeline("one", [command("hello", "true")])],
    });
    const result = runCli(root, ["start", "one", "--task", "t1"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("otel.endpoint");
  });
});

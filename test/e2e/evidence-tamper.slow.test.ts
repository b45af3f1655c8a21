import { generateKeyPairSync } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configJson, runCli, runCliJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { command, pipeline, startJson } from "./support.js";

// One real run (a stage log, an error file, a child run, a run summary, a plan snapshot), then
// every trial on a copy of its repository: one change to one file, and `verify` must say so.
const CONFIG = {
  pipelines: [
    pipeline("parent", [
      command("build", 'for i in $(seq 1 40); do echo "build line $i"; done'),
      { kind: "subpipeline", id: "to-child", title: "Child", pipeline: "child" },
      command("check", "echo checking; exit 3"),
    ]),
    pipeline("child", [command("inner", 'for i in $(seq 1 10); do echo "inner $i"; done')]),
  ],
};

interface Verification {
  ok: boolean;
  problems: Array<{ file: string; problem: string }>;
  children: Verification[];
}

type Mutation = (text: Buffer) => Buffer | null;

const lines = (text: Buffer) => text.toString("utf8").split(/(?<=\n)/);
const MUTATIONS: Record<string, Mutation> = {
  "change one byte": (text) => {
    const copy = Buffer.from(text);
    // A letter or digit in the first third: inside a line, never its newline.
    let at = Math.floor(text.length / 3);
    while (at < copy.length && !/[A-Za-z0-9]/.test(String.fromCharCode(copy[at] as number))) at += 1;
    copy[at] = copy[at] === 0x61 ? 0x62 : 0x61;
    return copy;
  },
  "delete one line": (text) => {
    const all = lines(text);
    if (all.length < 3) return null;
    all.splice(1, 1);
    return Buffer.from(all.join(""));
  },
  "swap two lines": (text) => {
    const all = lines(text);
    if (all.length < 3 || all[1] === all[2]) return null;
    [all[1], all[2]] = [all[2] as string, all[1] as string];
    return Buffer.from(all.join(""));
  },
  truncate: (text) => text.subarray(0, Math.floor(text.length / 2)),
};

let source = "";
let run = { runId: "", runDir: "", childDir: "", files: [] as string[] };

function copyRepository(): { root: string; runDir: string; childDir: string } {
  const root = path.join(tempDir("codex-orchestrator-tamper-"), "repo");
  cpSync(source, root, { recursive: true });
  return {
    root,
    runDir: path.join(root, path.relative(source, run.runDir)),
    childDir: path.join(root, path.relative(source, run.childDir)),
  };
}

function verify(root: string, extra: string[] = []) {
  return runCliJson<Verification>(root, ["verify", run.runId, ...extra]);
}

function filesOf(directory: string, prefix = ""): string[] {
  return readdirSync(directory).flatMap((name) => {
    const file = path.join(directory, name);
    const relative = prefix === "" ? name : `${prefix}/${name}`;
    return statSync(file).isDirectory() ? filesOf(file, relative) : [relative];
  });
}

function allProblems(result: Verification): Array<{ file: string; problem: string }> {
  return [...result.problems, ...result.children.flatMap(allProblems)];
}

describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")("verify: tamper trials through the built CLI", () => {
  beforeAll(() => {
    // Shared by every trial (each works on its own copy), so removed after all of them.
    source = realpathSync(mkdtempSync(path.join(os.tmpdir(), "codex-orchestrator-evidence-")));
    writeFileSync(path.join(source, "codex.orchestrator.json"), configJson(CONFIG));
    const started = startJson(source, ["parent"]);
    expect(started.status).toBe(1);
    const runDir = path.join(source, started.json.artifact_root);
    const manifest = JSON.parse(readFileSync(path.join(runDir, "manifest.json"), "utf8")) as {
      child_runs: Array<{ manifest: string }>;
    };
    const childDir = path.dirname(path.join(source, manifest.child_runs[0]?.manifest ?? ""));
    run = {
      runId: started.json.run_id,
      runDir,
      childDir,
      files: filesOf(runDir).filter((name) => !name.startsWith(".owner.lock")),
    };
  });

  afterAll(() => {
    if (source !== "") rmSync(source, { recursive: true, force: true });
  });

  it("verifies the untouched run (with the key it records, and with --key) and lists every kind of artifact", () => {
    const { root } = copyRepository();
    const result = verify(root);
    expect(result.stdout).toContain('"ok": true');
    expect(result.status).toBe(0);
    expect(result.json.children).toHaveLength(1);
    expect(result.json.children[0]?.ok).toBe(true);
    const withKey = verify(root, ["--key", path.join(root, ".runs/.keys/attestation-ed25519.pub.pem")]);
    expect(withKey.status).toBe(0);
    expect(run.files).toEqual(
      expect.arrayContaining([
        "manifest.json",
        "runner.ndjson",
        "commands/01-build.ndjson",
        "commands/03-check.ndjson",
        "run-summary.json",
        "pipeline.json",
        "attestations/01.dsse.json",
      ]),
    );
    expect(run.files.some((name) => name.startsWith("errors/"))).toBe(true);
    const text = runCli(root, ["verify", run.runId]);
    expect(text.stdout).toMatch(/^Run \S+: verified/);
    expect(text.stdout).toContain("Child run");
  });

  const kinds = [
    "manifest.json",
    "runner.ndjson",
    "commands/01-build.ndjson",
    "errors/",
    "run-summary.json",
    "pipeline.json",
    "resume-token.json",
    "attestations/01.dsse.json",
    "child:runner.ndjson",
  ];
  for (const kind of kinds)
    for (const [name, mutate] of Object.entries(MUTATIONS))
      it(`${kind}: ${name} → exit 1, naming the file`, () => {
        const copy = copyRepository();
        const inChild = kind.startsWith("child:");
        const relative = inChild
          ? kind.slice("child:".length)
          : kind.endsWith("/")
            ? (run.files.find((file) => file.startsWith(kind)) as string)
            : kind;
        const file = path.join(inChild ? copy.childDir : copy.runDir, relative);
        const changed = mutate(readFileSync(file));
        if (changed === null) return; // one line: nothing to delete or swap
        writeFileSync(file, changed);
        const result = verify(copy.root);
        expect(result.status, result.stderr).toBe(1);
        const problems = allProblems(result.json);
        const named = problems.filter((problem) => problem.file === relative);
        expect(named.length, JSON.stringify(problems)).toBeGreaterThan(0);
        if (relative.endsWith(".ndjson") && name !== "truncate")
          expect(named.map((problem) => problem.problem).join(" ")).toMatch(/line \d+/);
        if (inChild) expect(result.json.children[0]?.ok).toBe(false);
      });

  it("replacing a child's manifest → exit 1, naming the child manifest in the parent", () => {
    const copy = copyRepository();
    const manifest = path.join(copy.childDir, "manifest.json");
    // Another run's manifest in its place: the parent's, with the child's ids.
    const replaced = JSON.parse(readFileSync(path.join(copy.runDir, "manifest.json"), "utf8")) as Record<
      string,
      unknown
    >;
    const original = JSON.parse(readFileSync(manifest, "utf8")) as Record<string, unknown>;
    Object.assign(replaced, { run_id: original.run_id, parent_run_id: original.parent_run_id });
    writeFileSync(manifest, `${JSON.stringify(replaced, null, 2)}\n`);
    const result = verify(copy.root);
    expect(result.status).toBe(1);
    expect(result.json.problems.map((problem) => problem.problem).join(" ")).toMatch(
      /child run .*: manifest replaced or changed/,
    );
  });

  it("a deleted file is named missing; a forged line added to a log breaks its chain", () => {
    const copy = copyRepository();
    rmSync(path.join(copy.runDir, "run-summary.json"));
    const runner = path.join(copy.runDir, "runner.ndjson");
    writeFileSync(runner, `${readFileSync(runner, "utf8")}{"type":"run:heartbeat","index":null}\n`);
    const result = verify(copy.root);
    expect(result.status).toBe(1);
    const named = result.json.problems.map((problem) => `${problem.file}: ${problem.problem}`).join("\n");
    expect(named).toContain("run-summary.json: missing");
    expect(named).toMatch(/runner\.ndjson: line \d+ breaks the hash chain: it carries no prev/);
  });

  it("a deleted manifest → exit 1, the run still found by its folder and the manifest named missing", () => {
    const copy = copyRepository();
    rmSync(path.join(copy.runDir, "manifest.json"));
    const result = verify(copy.root);
    expect(result.status, result.stderr).toBe(1);
    expect(result.json.problems).toContainEqual({ file: "manifest.json", problem: "missing" });
  });

  it("a key that did not sign the run → exit 1; bad input → exit 2 and one line", () => {
    const copy = copyRepository();
    const other = path.join(copy.root, "other.pem");
    const generated = runCli(copy.root, ["verify", run.runId, "--key", path.join(copy.root, "missing.pem")]);
    expect(generated.status).toBe(2);
    expect(generated.stderr.trim().split("\n")).toHaveLength(1);
    writeFileSync(other, "not a key\n");
    expect(runCli(copy.root, ["verify", run.runId, "--key", other]).status).toBe(2);
    expect(runCli(copy.root, ["verify", "../escape"]).status).toBe(2);
    expect(runCli(copy.root, ["verify", "2020-01-01T00-00-00-000Z-deadbeef"]).status).toBe(2);
    const { publicKey } = generateKeyPairSync("ed25519");
    writeFileSync(other, publicKey.export({ type: "spki", format: "pem" }) as string);
    const wrong = verify(copy.root, ["--key", other]);
    expect(wrong.status).toBe(1);
    expect(wrong.json.problems[0]?.problem).toMatch(/signed by key sha256:[0-9a-f]+, not the given key/);
    expect(existsSync(path.join(copy.root, ".runs/.keys/attestation-ed25519.pem"))).toBe(true);
  });
});

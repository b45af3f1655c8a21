import { createHash, generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliJson } from "../helpers/cli.js";
import { commitAll, git, initGitRepository } from "../helpers/git.js";
import { command, pipeline, readManifest, startJson, tempRepo } from "./support.js";

const CONFIG = { pipelines: [pipeline("one", [command("hello", "echo hello")])] };
const TOKEN = "ghp_0123456789abcdefTOKEN";

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const file = path.join(directory, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

interface ProvenanceJson {
  git: {
    commit: string | null;
    branch: string | null;
    dirty: boolean;
    changed_files: number;
    remote_url: string | null;
  } | null;
  actor: string;
  host: string;
  ci: {
    provider: string;
    run_id: string | null;
    workflow: string | null;
    ref: string | null;
    url: string | null;
  } | null;
  node_version: string;
  config_files: Array<{ path: string; sha256: string }>;
}

function provenanceOf(root: string, manifest: string): ProvenanceJson {
  return readManifest(root, manifest).provenance as unknown as ProvenanceJson;
}

describe("provenance in every run", () => {
  it("outside a git repository: git is null, the run still starts, is signed and verifies", () => {
    const root = tempRepo(CONFIG);
    const started = startJson(root, ["one", "--actor", "alice"]);
    expect(started.status).toBe(0);
    const provenance = provenanceOf(root, started.json.manifest);
    expect(provenance.git).toBeNull();
    expect(provenance.actor).toBe("alice");
    expect(provenance.node_version).toBe(process.version);
    const config = readFileSync(path.join(root, "codex.orchestrator.json"));
    expect(provenance.config_files).toEqual([
      { path: "codex.orchestrator.json", sha256: createHash("sha256").update(config).digest("hex") },
    ]);
    expect(runCliJson(root, ["status", started.json.run_id]).json).toMatchObject({ commit: null });
    expect(runCliJson(root, ["verify", started.json.run_id]).status).toBe(0);
  });

  it("a detached HEAD on a dirty tree with a token in the remote URL, in GitHub Actions", () => {
    const root = tempRepo(CONFIG, { ".gitignore": ".runs/\n", "src/a.txt": "a\n" });
    initGitRepository(root);
    commitAll(root, "first");
    const commit = git(root, "rev-parse", "HEAD");
    git(root, "checkout", "--quiet", "--detach");
    git(root, "remote", "add", "origin", `https://builder:${TOKEN}@example.com/org/repo.git`);
    writeFileSync(path.join(root, "src/a.txt"), "changed\n");
    writeFileSync(path.join(root, "src/new.txt"), "new\n");
    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_RUN_ID: "4242",
      GITHUB_WORKFLOW: "ci",
      GITHUB_REF: "refs/pull/7/merge",
      GITHUB_SERVER_URL: "https://github.example",
      GITHUB_REPOSITORY: "org/repo",
      USER: "ci-user",
    };

    const started = startJson(root, ["one"], { env });

    expect(started.status).toBe(0);
    const provenance = provenanceOf(root, started.json.manifest);
    expect(provenance.git).toEqual({
      commit,
      branch: null,
      dirty: true,
      changed_files: 2,
      remote_url: "https://example.com/org/repo.git",
    });
    // One rule everywhere: --actor, else the operating system user (USER only when that is unknown).
    expect(provenance.actor).toBe(os.userInfo().username);
    expect(provenance.ci).toEqual({
      provider: "github-actions",
      run_id: "4242",
      workflow: "ci",
      ref: "refs/pull/7/merge",
      url: "https://github.example/org/repo/actions/runs/4242",
    });
    // The commit is shown where runs are listed and summarised.
    const runId = started.json.run_id;
    expect(runCliJson(root, ["status", runId]).json).toMatchObject({ commit });
    const rows = runCliJson<Array<{ run_id: string; commit: string | null }>>(root, ["runs"]).json;
    expect(rows.find((row) => row.run_id === runId)?.commit).toBe(commit);
    const summary = JSON.parse(
      readFileSync(path.join(root, started.json.artifact_root, "run-summary.json"), "utf8"),
    ) as { commit: string };
    expect(summary.commit).toBe(commit);
    // No file of the run carries the token or any private key material.
    for (const file of filesUnder(path.join(root, started.json.artifact_root))) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toContain(TOKEN);
      expect(text, file).not.toContain("PRIVATE KEY");
    }
  });

  it("a branch and an actor carrying a secret's value are redacted like everything else", () => {
    const root = tempRepo(CONFIG, { ".gitignore": ".runs/\n" });
    initGitRepository(root);
    commitAll(root, "first");
    git(root, "checkout", "--quiet", "-b", "feature-s3cr3tvalue");
    const started = startJson(root, ["one", "--actor", "bot-s3cr3tvalue"], {
      env: { DEPLOY_SECRET: "s3cr3tvalue" },
    });
    expect(started.status).toBe(0);
    const provenance = provenanceOf(root, started.json.manifest);
    expect(provenance.git?.branch).toBe("feature-[REDACTED]");
    expect(provenance.actor).toBe("bot-[REDACTED]");
    expect(provenance.git?.dirty).toBe(false);
    for (const file of filesUnder(path.join(root, ".runs/0101")))
      expect(readFileSync(file, "utf8"), file).not.toContain("s3cr3tvalue");
  });
});

describe("the signing key", () => {
  it("CODEX_ORCHESTRATOR_SIGNING_KEY signs the run; verify --key with its public key holds, the repository key is not made", () => {
    const root = tempRepo(CONFIG);
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const keyFile = path.join(root, "signing.pem");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }) as string, { mode: 0o600 });
    writeFileSync(
      path.join(root, "signer.pub.pem"),
      publicKey.export({ type: "spki", format: "pem" }) as string,
    );
    const env = { CODEX_ORCHESTRATOR_SIGNING_KEY: keyFile };
    const started = startJson(root, ["one"], { env });
    expect(started.status).toBe(0);
    const envelope = JSON.parse(
      readFileSync(path.join(root, started.json.artifact_root, "attestations/01.dsse.json"), "utf8"),
    ) as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as {
      predicate: { signer: { source: string } };
    };
    expect(statement.predicate.signer.source).toBe("env");
    expect(existsSync(path.join(root, ".runs/.keys"))).toBe(false);
    expect(runCli(root, ["verify", started.json.run_id, "--key", "signer.pub.pem"]).status).toBe(0);
  });

  it("a key file that is not an Ed25519 private key: exit 2, one line naming the path, nothing written", () => {
    const root = tempRepo(CONFIG);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    writeFileSync(path.join(root, "rsa.pem"), pem);
    const result = runCli(root, ["start", "one"], { env: { CODEX_ORCHESTRATOR_SIGNING_KEY: "rsa.pem" } });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("rsa.pem");
    expect(result.stderr).not.toContain(pem.split("\n")[1] as string);
    expect(existsSync(path.join(root, ".runs"))).toBe(false);
  });
});

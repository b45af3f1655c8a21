import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliJson } from "../helpers/cli.js";
import { spawnCliAsync, waitFor } from "../reliability/support.js";
import { command, pipeline, startJson, tempRepo } from "./support.js";

interface Verification {
  ok: boolean;
  attestation: { file: string; sequence: number } | null;
  problems: Array<{ file: string; problem: string }>;
  notes: string[];
  logs: Array<{ name: string; lines: number; chained: boolean }>;
}

function verify(root: string, runId: string) {
  return runCliJson<Verification>(root, ["verify", runId]);
}

function attestationsOf(root: string, runId: string): string[] {
  return readdirSync(path.join(root, ".runs/0101/cli", runId, "attestations")).sort();
}

function prevFields(root: string, runId: string): string[] {
  return readFileSync(path.join(root, ".runs/0101/cli", runId, "runner.ndjson"), "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { prev?: string }).prev ?? "");
}

describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")("signed runs across resumes and crashes", () => {
  it("a failed run resumed to success: a second attestation beside the first, the chain continued, verify 0", () => {
    const root = tempRepo({
      pipelines: [pipeline("flaky", [command("once", "test -f ok || { touch ok; echo first; exit 1; }")])],
    });
    const failed = startJson(root, ["flaky"]);
    expect(failed.status).toBe(1);
    const runId = failed.json.run_id;
    expect(verify(root, runId).status).toBe(0);
    const linesBefore = prevFields(root, runId).length;

    const resumed = runCliJson(root, ["resume", runId]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(attestationsOf(root, runId)).toEqual(["01.dsse.json", "02.dsse.json"]);
    const result = verify(root, runId);
    expect(result.status, JSON.stringify(result.json.problems)).toBe(0);
    expect(result.json.attestation?.sequence).toBe(2);
    // Every line of the log carries its prev, those the resume appended too.
    const prevs = prevFields(root, runId);
    expect(prevs.length).toBeGreaterThan(linesBefore);
    expect(prevs.every((prev) => /^[0-9a-f]{64}$/.test(prev))).toBe(true);
    expect(new Set(prevs).size).toBe(prevs.length);
  });

  it("a run paused at a gate, approved and resumed verifies after each part", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("gate", [
          command("before", "echo before"),
          { kind: "manual", id: "review", title: "Review" },
          command("after", "echo after"),
        ]),
      ],
    });
    const paused = runCli(root, ["start", "gate", "--approval-policy", "pause"]);
    expect(paused.status).toBe(3);
    const runId = /^Run started: (\S+)$/m.exec(paused.stdout)?.[1] ?? "";
    expect(verify(root, runId).status).toBe(0);
    expect(runCli(root, ["approve", runId, "--stage", "review", "--actor", "reviewer"]).status).toBe(0);
    const resumed = runCli(root, ["resume", runId]);
    expect(resumed.status, resumed.stderr).toBe(0);
    const result = verify(root, runId);
    expect(result.status, JSON.stringify(result.json)).toBe(0);
    expect(attestationsOf(root, runId)).toEqual(["01.dsse.json", "02.dsse.json"]);
    const statement = JSON.parse(
      Buffer.from(
        (
          JSON.parse(
            readFileSync(path.join(root, ".runs/0101/cli", runId, "attestations/02.dsse.json"), "utf8"),
          ) as {
            payload: string;
          }
        ).payload,
        "base64",
      ).toString("utf8"),
    ) as { subject: Array<{ name: string }>; predicate: { approvals: Array<{ actor: string }> } };
    expect(statement.predicate.approvals.map((approval) => approval.actor)).toEqual(["reviewer"]);
    // The earlier attestation is one of the later one's subjects.
    expect(statement.subject.map((subject) => subject.name)).toContain("attestations/01.dsse.json");
  });

  it("a run killed mid-stage (no attestation) and resumed verifies, its chain continued across the crash", async () => {
    const root = tempRepo({
      pipelines: [
        pipeline("slow", [
          command("first", 'for i in $(seq 1 50); do echo "first $i"; done'),
          command("wait", "test -f started && exit 0; touch started; echo waiting; sleep 60"),
        ]),
      ],
    });
    const child = spawnCliAsync(root, ["start", "slow", "--format", "json"]);
    const cliDir = path.join(root, ".runs/0101/cli");
    expect(await waitFor(() => existsSync(path.join(root, "started")), 30_000)).toBe(true);
    // The stage's output has reached the log before the kill.
    await waitFor(() => {
      const runs = existsSync(cliDir) ? readdirSync(cliDir) : [];
      const log = path.join(cliDir, runs[0] ?? "-", "runner.ndjson");
      return existsSync(log) && readFileSync(log, "utf8").includes("waiting");
    }, 10_000);
    child.process.kill("SIGKILL");
    await child.finished;
    const runId = readdirSync(cliDir)[0] as string;
    const crashed = verify(root, runId);
    expect(crashed.status).toBe(1);
    expect(crashed.json.problems[0]?.problem).toMatch(/no attestation/);
    // The logs' chains hold even though no attestation was written.
    expect(crashed.json.problems).toHaveLength(1);

    const resumed = runCli(root, ["resume", runId, "--force"]);
    expect(resumed.status, resumed.stderr).toBe(0);
    const result = verify(root, runId);
    expect(result.status, JSON.stringify(result.json)).toBe(0);
    expect(result.json.logs.every((log) => log.chained)).toBe(true);
  });
});

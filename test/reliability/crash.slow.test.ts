import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readJson } from "../helpers/cli.js";
import {
  checkRunArtifacts,
  command,
  pipeline,
  runCliAsync,
  spawnCliAsync,
  tempRepo,
  waitFor,
  type ArtifactProblem,
} from "./support.js";

// Many short stages (frequent manifest writes), two output-heavy ones (many NDJSON lines) and a
// few sleeps (kills mid-stage). Every stage leaves a mark, so a re-run of a succeeded stage shows.
const mark = (id: string) => `echo ${id} >> "marks/$CODEX_ORCHESTRATOR_RUN_ID"`;
const STAGES = [
  command("s01", `${mark("s01")}`),
  command("s02", `${mark("s02")}; echo two`),
  command("out1", `seq 1 4000; ${mark("out1")}`),
  command("s03", `sleep 0.15; ${mark("s03")}`),
  command("s04", `${mark("s04")}`),
  command("s05", `echo five >&2; ${mark("s05")}`),
  command("out2", `seq 1 3000 >&2; seq 1 3000; ${mark("out2")}`),
  command("s06", `sleep 0.15; ${mark("s06")}`),
  command("s07", `${mark("s07")}`),
  command("s08", `${mark("s08")}`),
  command("s09", `sleep 0.15; ${mark("s09")}`),
  command("s10", `${mark("s10")}`),
  command("out3", `seq 1 5000; ${mark("out3")}`),
  command("s11", `${mark("s11")}`),
  command("s12", `sleep 0.15; ${mark("s12")}`),
  command("s13", `${mark("s13")}`),
  command("s14", `${mark("s14")}`),
];
const CONFIG = { defaultPipeline: "crashy", pipelines: [pipeline("crashy", STAGES)] };
const TRIALS = 50;
const PARALLEL = 3;

function marksOf(root: string, runId: string): string[] {
  const file = path.join(root, "marks", runId);
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
    : [];
}

interface TrialResult {
  delayMs: number;
  outcome: "before-run" | "finished" | "resumed" | "not-resumable";
  problems: ArtifactProblem[];
  filesChecked: number;
  detail: string;
}

async function trial(delayMs: number): Promise<TrialResult> {
  const root = tempRepo(CONFIG, { "marks/.keep": "" });
  const problems: ArtifactProblem[] = [];
  let filesChecked = 0;
  const child = spawnCliAsync(root, ["start", "--format", "json"]);
  const cliDir = path.join(root, ".runs", "0101", "cli");
  // A negative delay kills during startup and layout; otherwise the clock starts when the run
  // directory appears, so machine load shifts nothing.
  if (delayMs >= 0) await waitFor(() => existsSync(cliDir) && readdirSync(cliDir).length > 0, 20_000, 2);
  await new Promise((resolve) => setTimeout(resolve, Math.abs(delayMs)));
  child.process.kill("SIGKILL");
  await child.finished;

  const runIds = existsSync(cliDir) ? readdirSync(cliDir) : [];
  const runId = runIds[0];
  if (runId === undefined || !existsSync(path.join(cliDir, runId, "manifest.json"))) {
    // Killed before the first manifest write: no run exists for status/resume to find. Whatever
    // it did write must still be whole.
    if (runId !== undefined) {
      const check = checkRunArtifacts(root, "0101", runId);
      problems.push(...check.problems);
      filesChecked += check.checked;
    }
    return { delayMs, outcome: "before-run", problems, filesChecked, detail: "" };
  }
  const afterCrash = checkRunArtifacts(root, "0101", runId);
  problems.push(...afterCrash.problems);
  filesChecked += afterCrash.checked;
  if (afterCrash.problems.length > 0)
    return { delayMs, outcome: "not-resumable", problems, filesChecked, detail: "invalid artifacts" };

  const manifest = readJson<{ status: string; commands: { id: string; status: string }[] }>(
    root,
    path.join(".runs/0101/cli", runId, "manifest.json"),
  );
  if (manifest.status === "succeeded") {
    // Killed after the final manifest write: metrics and state were written before it.
    const state = readJson<{ runs: { run_id: string }[] }>(root, "out/0101/state.json");
    const ok = state.runs.some((run) => run.run_id === runId);
    return {
      delayMs,
      outcome: ok ? "finished" : "not-resumable",
      problems,
      filesChecked,
      detail: ok ? "" : "succeeded but not in state.json",
    };
  }

  const status = await runCliAsync(root, ["status", runId, "--format", "json"]);
  const statusJson = JSON.parse(status.stdout) as {
    status: string;
    heartbeat: { stale: boolean; owner_alive: boolean | null };
  };
  if (status.status !== 0 || !statusJson.heartbeat.stale || statusJson.heartbeat.owner_alive !== false) {
    return {
      delayMs,
      outcome: "not-resumable",
      problems,
      filesChecked,
      detail: `status not stale: ${status.stdout}${status.stderr}`,
    };
  }

  const succeededBefore = manifest.commands
    .filter((entry) => entry.status === "succeeded")
    .map((entry) => entry.id);
  const marksBefore = marksOf(root, runId);
  const resume = await runCliAsync(root, ["resume", runId, "--format", "json"]);
  const afterResume = checkRunArtifacts(root, "0101", runId);
  problems.push(...afterResume.problems);
  filesChecked += afterResume.checked;
  const resumed = resume.stdout === "" ? null : (JSON.parse(resume.stdout) as { status: string });
  const newMarks = marksOf(root, runId).slice(marksBefore.length);
  const rerun = newMarks.filter((id) => succeededBefore.includes(id));
  const final = readJson<{ status: string; commands: { status: string }[] }>(
    root,
    path.join(".runs/0101/cli", runId, "manifest.json"),
  );
  const metrics = readFileSync(path.join(root, ".runs/0101/metrics.json"), "utf8");
  const state = readJson<{ runs: { run_id: string; status: string }[] }>(root, "out/0101/state.json");
  const ok =
    resume.status === 0 &&
    resumed?.status === "succeeded" &&
    final.status === "succeeded" &&
    final.commands.every((entry) => entry.status === "succeeded") &&
    rerun.length === 0 &&
    metrics.includes(runId) &&
    state.runs.some((run) => run.run_id === runId && run.status === "succeeded");
  return {
    delayMs,
    outcome: ok ? "resumed" : "not-resumable",
    problems,
    filesChecked,
    detail: ok ? "" : `resume exit ${resume.status}, re-ran ${rerun.join(",")}: ${resume.stderr.slice(-400)}`,
  };
}

// With PARALLEL runs at once as in the trials: how long the CLI takes from spawn until the run
// directory exists (the shortest, so startup kill points land before it), and how long the stages
// take after that (the longest).
async function measureRuns(): Promise<{ startupMs: number; runMs: number }> {
  const timings = await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      const root = tempRepo(CONFIG, { "marks/.keep": "" });
      const spawned = Date.now();
      const child = spawnCliAsync(root, ["start", "--format", "json"]);
      const cliDir = path.join(root, ".runs", "0101", "cli");
      await waitFor(() => existsSync(cliDir) && readdirSync(cliDir).length > 0, 20_000, 2);
      const appeared = Date.now();
      const result = await child.finished;
      expect(result.status).toBe(0);
      return { startupMs: appeared - spawned, runMs: Date.now() - appeared };
    }),
  );
  return {
    startupMs: Math.min(...timings.map((timing) => timing.startupMs)),
    runMs: Math.max(...timings.map((timing) => timing.runMs)),
  };
}

describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")("SIGKILL at random points", () => {
  it(`leaves valid artifacts, a stale status and a resumable run in ${TRIALS} trials`, async () => {
    // Time undisturbed runs on this machine, then spread the kill points over them: a few during
    // startup (negative: from spawn), the rest from the run directory's appearance to just after
    // the end — layout, every stage, the finish.
    const { startupMs, runMs } = await measureRuns();
    const startupTrials = Math.round(TRIALS / 10);
    const delays = Array.from({ length: TRIALS }, (_, index) =>
      index < startupTrials
        ? -Math.max(1, Math.round(startupMs * (0.2 + Math.random() * 0.6)))
        : Math.round(((index - startupTrials + Math.random()) / (TRIALS - startupTrials)) * runMs * 1.05),
    );
    const results: TrialResult[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < delays.length) {
          const delay = delays[next++] as number;
          results.push(await trial(delay));
        }
      }),
    );
    const invalid = results.flatMap((result) => result.problems);
    const notResumable = results.filter((result) => result.outcome === "not-resumable");
    const count = (outcome: TrialResult["outcome"]) =>
      results.filter((result) => result.outcome === outcome).length;
    const files = results.reduce((sum, result) => sum + result.filesChecked, 0);
    console.log(
      `trials: ${results.length}, invalid files found: ${invalid.length}, runs not resumable: ${notResumable.length} ` +
        `(killed before the run existed: ${count("before-run")}, mid-run then resumed: ${count("resumed")}, ` +
        `after the final write: ${count("finished")}; files checked: ${files}; ` +
        `startup ${startupMs} ms, run ${runMs} ms, kill points 0–${Math.round(runMs * 1.05)} ms into it)`,
    );
    expect(invalid).toEqual([]);
    expect(notResumable.map((result) => `${result.delayMs}ms: ${result.detail}`)).toEqual([]);
    expect(results).toHaveLength(TRIALS);
    // The trials must mostly hit a live run, or they prove little.
    expect(count("resumed")).toBeGreaterThanOrEqual(TRIALS * 0.4);
    expect(count("before-run")).toBeGreaterThan(0);
  }, 600_000);
});

// The cost of evidence: hash-chained logs and a signed attestation at the end, against the same
// run with both turned off (CODEX_ORCHESTRATOR_EVIDENCE=off, the documented escape hatch), on 100
// stages and on one stage printing 200 MB. Provenance is gathered on both sides (in a git
// repository here); its time is reported from the manifests.
//
// Method: both sides interleaved run by run. Each run's CPU time (user + system, the orchestrator
// and its stages, from the shell's `times`) is the figure held to the target: it is what chaining
// and signing add, and it stays steady when other work shares the machine, where wall time (shown
// beside it) swings by ±40% run to run.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { sec, times } from "../lib/report.mjs";
import { clearRuns, commandStages, createTempRepo } from "../lib/temp-repo.mjs";
import { latestRunDir, orchestratorEnv, startArgs } from "../lib/orchestrator.mjs";
import { cli } from "../lib/paths.mjs";
import { lastLines, median, round } from "../lib/timing.mjs";

const STAGES_LIMIT = 1.1;
const OUTPUT_LIMIT = 1.15;

function gitRepository(root) {
  fs.writeFileSync(path.join(root, ".gitignore"), ".runs/\nout/\nkept-keys/\nbench-stderr.txt\n");
  for (const args of [
    ["init", "--quiet"],
    ["add", "--all"],
    ["-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "--quiet", "-m", "bench"],
  ])
    spawnSync("git", args, { cwd: root, stdio: "ignore" });
}

// `times` prints the shell's own times, then its children's: "0m0.480s 0m0.330s".
function seconds(text) {
  const match = /^(\d+)m([\d.]+)s$/.exec(text);
  return match === null ? Number.NaN : Number(match[1]) * 60 + Number(match[2]);
}

/** Runs `start` once in `root`; returns its wall and CPU time in ms. */
function startOnce(root, pipeline, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    "sh",
    [
      "-c",
      '"$@" >/dev/null 2>"$ERR_FILE"; status=$?; times; exit $status',
      "sh",
      process.execPath,
      cli,
      ...startArgs(pipeline),
    ],
    {
      cwd: root,
      env: { ...orchestratorEnv(root, env), ERR_FILE: path.join(root, "bench-stderr.txt") },
      encoding: "utf8",
    },
  );
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0)
    throw new Error(
      `start ${pipeline} exited ${result.status}: ${lastLines(fs.readFileSync(path.join(root, "bench-stderr.txt"), "utf8"))}`,
    );
  const [user, system] = (result.stdout.trim().split("\n")[1] ?? "").trim().split(/\s+/).map(seconds);
  return { wall, cpu: ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000 };
}

function measure(sides, runs) {
  const samples = Object.fromEntries(Object.keys(sides).map((name) => [name, { wall: [], cpu: [] }]));
  for (const thunk of Object.values(sides)) thunk(); // one untimed round
  for (let round = 0; round < runs; round += 1)
    for (const [name, thunk] of Object.entries(sides)) {
      const { wall, cpu } = thunk();
      samples[name].wall.push(wall);
      samples[name].cpu.push(cpu);
    }
  return Object.fromEntries(
    Object.entries(samples).map(([name, { wall, cpu }]) => [
      name,
      {
        wall: median(wall),
        cpu: median(cpu),
        samples: { wall: wall.map((v) => round(v)), cpu: cpu.map((v) => round(v)) },
      },
    ]),
  );
}

export default {
  name: "evidence",
  summary: "hash chains + signing ≤ 1.10× on 100 stages and ≤ 1.15× on 200 MB of output, against them off",
  async run(context) {
    const { quick, report } = context;
    const runs = quick ? 3 : 7;
    const bytes = quick ? 50_000_000 : 200_000_000;
    // The repository's own key (created on the first run, kept between runs as a repository keeps
    // it: clearing .runs would otherwise make every run pay for creating one). A key named by
    // CODEX_ORCHESTRATOR_SIGNING_KEY would also make its path a value to redact (*KEY* is a secret
    // name), a cost of redaction that output.mjs measures.
    const on = {};
    const off = { CODEX_ORCHESTRATOR_EVIDENCE: "off" };
    const gathered = [];
    const keys = (root) => path.join(root, ".runs", ".keys");
    const side = (root, pipeline, env) => () => {
      const kept = path.join(root, "kept-keys");
      if (fs.existsSync(keys(root))) fs.cpSync(keys(root), kept, { recursive: true });
      clearRuns(root);
      if (fs.existsSync(kept)) fs.cpSync(kept, keys(root), { recursive: true });
      const timing = startOnce(root, pipeline, env);
      const runDir = latestRunDir(root);
      const manifest = JSON.parse(fs.readFileSync(path.join(runDir, "manifest.json"), "utf8"));
      gathered.push(manifest.provenance?.gathered_ms ?? 0);
      const signed = fs.existsSync(path.join(runDir, "attestations", "01.dsse.json"));
      if (signed !== (env === on)) throw new Error(`an attestation was ${signed ? "" : "not "}written`);
      return timing;
    };
    const record = (scenario, limit, timed) => {
      const ratio = timed.on.cpu / timed.off.cpu;
      report.record({
        scenario,
        baseline: `CODEX_ORCHESTRATOR_EVIDENCE=off: CPU ${sec(timed.off.cpu)}, wall ${sec(timed.off.wall)}`,
        ours: `CPU ${sec(timed.on.cpu)}, wall ${sec(timed.on.wall)}`,
        ratio: `${times(ratio)} CPU (wall ${times(timed.on.wall / timed.off.wall)})`,
        target: `≤ ${limit}×`,
        pass: ratio <= limit,
        note: `medians of ${runs}, interleaved`,
        raw: timed,
      });
    };

    const stagesScenario = "100 stages of `true`: chained logs + signed attestation";
    await report.attempt(stagesScenario, `≤ ${STAGES_LIMIT}×`, () => {
      const root = createTempRepo(context, "evidence-stages", [
        { id: "many", title: "100 stages", stages: commandStages(100, "true") },
      ]);
      gitRepository(root);
      record(
        stagesScenario,
        STAGES_LIMIT,
        measure({ off: side(root, "many", off), on: side(root, "many", on) }, runs),
      );
    });

    const outputScenario = `one stage printing ${bytes / 1e6} MB: chained logs + signed attestation`;
    await report.attempt(outputScenario, `≤ ${OUTPUT_LIMIT}×`, () => {
      const generator = `yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | head -c ${bytes}`;
      const root = createTempRepo(context, "evidence-output", [
        {
          id: "big",
          title: "Big output",
          stages: [{ kind: "command", id: "print", title: "Print", command: generator }],
        },
      ]);
      gitRepository(root);
      const timed = measure({ off: side(root, "big", off), on: side(root, "big", on) }, runs);
      clearRuns(root);
      record(outputScenario, OUTPUT_LIMIT, timed);
    });

    report.record({
      scenario: "provenance at start (git status + remote, in parallel, in a git repository)",
      ours: `${round(median(gathered))} ms`,
      ratio: "-",
      target: "reported",
      pass: true,
      note: `median of ${gathered.length} starts; overlaps planning`,
    });
  },
};

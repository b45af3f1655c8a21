import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validatorsFor } from "../../packages/schema/src/index.js";
import { readJson, runCli } from "../helpers/cli.js";
import {
  command,
  isRunning,
  listFiles,
  pipeline,
  runCliAsync,
  stackLines,
  tempRepo,
  waitFor,
} from "./support.js";

// Tests run as root, and root ignores permission bits: a runs "directory" that is a regular file
// fails for everyone. A full disk is a file-size limit (ulimit -f, in 1024-byte blocks) with
// SIGXFSZ ignored, so writes fail with EFBIG instead of killing the process.
const FILE_LIMIT = "trap '' XFSZ; ulimit -f 20";

describe("disk errors", () => {
  it.each(["CODEX_ORCHESTRATOR_RUNS_DIR", "CODEX_ORCHESTRATOR_OUT_DIR"])(
    "%s is not a writable directory: one clear line, exit 1",
    (variable) => {
      const root = tempRepo({
        defaultPipeline: "p",
        pipelines: [pipeline("p", [command("one", "echo one > ran")])],
      });
      writeFileSync(path.join(root, "blocked"), "a file, not a directory\n");
      const result = runCli(root, ["start"], { env: { [variable]: "blocked" } });
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^codex-orchestrator: Could not create directory .*blocked.*: (a parent is not a directory \(ENOTDIR\)|already exists \(EEXIST\))/,
      );
      expect(stackLines(result.stderr)).toEqual([]);
      // Nothing ran.
      expect(listFiles(root)).not.toContain("ran");
    },
  );

  it("a full disk while the manifest and the run's log grow: clear error, the last good manifest intact, resumable", async () => {
    // 30 stages with long summaries: the manifest and runner.ndjson outgrow 20 KiB mid-run. A manifest
    // write that fails mid-run is a warning (the log is the record); the log failing ends the run.
    const stages = Array.from({ length: 30 }, (_, index) =>
      command(`s${index}`, "true", { summaryHint: `${"h".repeat(190)}${index}` }),
    );
    const root = tempRepo({ defaultPipeline: "p", pipelines: [pipeline("p", stages)] });
    const result = await runCliAsync(root, ["start"], { shellPrefix: FILE_LIMIT });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /codex-orchestrator: Could not (write .*manifest\.json|append to .*runner\.ndjson): file too large \(file-size limit reached\) \(EFBIG\) \(Free disk space, then resume the run\.\)/,
    );
    expect(stackLines(result.stderr)).toEqual([]);
    const runId = readdirSync(path.join(root, ".runs/0101/cli"))[0] as string;
    const manifestPath = `.runs/0101/cli/${runId}/manifest.json`;
    const manifest = readJson<{ status: string; commands: { status: string }[] }>(root, manifestPath);
    expect(validatorsFor("manifest").validate(manifest).valid).toBe(true);
    expect(manifest.status).toBe("in_progress");
    const done = manifest.commands.filter((entry) => entry.status === "succeeded").length;
    // Stage starts are written at most every 200 ms while stages keep succeeding, so the last good
    // manifest may predate every success; what matters is that it is whole, valid and resumable.
    expect(done).toBeLessThan(30);
    // No temp file of the failed write is left behind.
    expect(listFiles(path.join(root, ".runs")).filter((file) => file.endsWith(".tmp"))).toEqual([]);
    const status = runCli(root, ["status", runId, "--format", "json"]);
    expect(JSON.parse(status.stdout).heartbeat.stale).toBe(true);
    // Space freed: the run finishes in place.
    const resumed = runCli(root, ["resume", runId]);
    expect(resumed.status).toBe(0);
    expect(readJson<{ status: string }>(root, manifestPath).status).toBe("succeeded");
  });

  // Output is written in batches: 300 KB fails when the 50 ms timer writes it, 3 MB when a full
  // batch is written while the command is still printing; with a secret to redact or without. Past
  // 8 MiB of output a writer thread seals and writes the logs: its failure reads the same (32 MiB per
  // file, by when the thread has long taken over; ulimit -f counts 1024-byte blocks).
  it.each([
    [300_000, "plain", 20, /02-big/],
    [3_000_000, "plain", 20, /02-big/],
    [3_000_000, "redacted", 20, /02-big/],
    [80_000_000, "on the writer thread", 32768, /(02-big|runner)/],
  ])(
    "a full disk while a stage streams output (%i bytes, %s): clear error, the stage's process group stopped, manifest intact",
    async (bytes, kind, blocks, file) => {
      const root = tempRepo({
        defaultPipeline: "p",
        pipelines: [
          pipeline("p", [
            command("one", "echo one"),
            command(
              "big",
              `sleep 300 & echo $! > bg.pid; yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -c ${bytes}; wait`,
              kind === "redacted" ? { env: { API_TOKEN: "hunter22-secret" } } : {},
            ),
          ]),
        ],
      });
      const result = await runCliAsync(root, ["start"], {
        shellPrefix: `trap '' XFSZ; ulimit -f ${blocks}`,
        env: {
          CODEX_ORCHESTRATOR_KILL_GRACE_MS: "200",
          // 80 MB echoed on stderr would only fill the test's memory.
          ...(bytes > 10_000_000 ? { CODEX_ORCHESTRATOR_OUTPUT_LOGS: "none" } : {}),
        },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `codex-orchestrator: Could not append to .*${file.source}\\.ndjson: file too large \\(file-size limit reached\\) \\(EFBIG\\)`,
        ),
      );
      expect(stackLines(result.stderr)).toEqual([]);
      const grandchild = Number(readJson<number>(root, "bg.pid"));
      expect(await waitFor(() => !isRunning(grandchild), 3_000)).toBe(true);
      const runId = readdirSync(path.join(root, ".runs/0101/cli"))[0] as string;
      const manifest = readJson<{ status: string; commands: { status: string }[] }>(
        root,
        `.runs/0101/cli/${runId}/manifest.json`,
      );
      expect(validatorsFor("manifest").validate(manifest).valid).toBe(true);
      expect(manifest.commands.map((entry) => entry.status)).toEqual(["succeeded", "running"]);
    },
  );
});

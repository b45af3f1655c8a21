import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validatorsFor } from "../../packages/schema/src/index.js";
import { readJson, readNdjson } from "../helpers/cli.js";
import {
  checkRunArtifacts,
  command,
  isRunning,
  pipeline,
  spawnCliAsync,
  tempRepo,
  waitFor,
} from "./support.js";

const BACKGROUND = "sleep 300 & echo $! > bg.pid; sleep 300";
// Ignores SIGTERM (and so does its background child, which inherits the disposition): only the
// SIGKILL after the grace period stops them.
const STUBBORN = "trap '' TERM; sleep 300 & echo $! > bg.pid; wait; sleep 300";
const CONFIG = {
  defaultPipeline: "bg",
  pipelines: [
    pipeline("bg", [
      command("first", "echo first"),
      command("bg", BACKGROUND),
      command("never", "echo never"),
    ]),
    pipeline("stubborn", [command("stubborn", STUBBORN)]),
  ],
};

const CASES = [
  { signal: "SIGINT", pipelineId: "bg", exit: 130 },
  { signal: "SIGTERM", pipelineId: "bg", exit: 143 },
  { signal: "SIGINT", pipelineId: "stubborn", exit: 130 },
  { signal: "SIGTERM", pipelineId: "stubborn", exit: 143 },
] as const;

describe("SIGINT and SIGTERM to the orchestrator", () => {
  it.each(CASES)(
    "$signal during $pipelineId: cancelled, finalised, exit $exit, no orphan",
    async ({ signal, pipelineId, exit }) => {
      const root = tempRepo(CONFIG);
      const graceMs = 400;
      const child = spawnCliAsync(root, ["start", pipelineId, "--format", "json"], {
        env: { CODEX_ORCHESTRATOR_KILL_GRACE_MS: String(graceMs) },
      });
      const pidFile = path.join(root, "bg.pid");
      expect(
        await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", 20_000),
      ).toBe(true);
      const grandchild = Number(readFileSync(pidFile, "utf8").trim());
      expect(isRunning(grandchild)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const sentAt = Date.now();
      child.process.kill(signal);
      const result = await child.finished;
      const elapsed = Date.now() - sentAt;

      expect(result.status).toBe(exit);
      // No orphan: the background grandchild of the stage's shell died with its process group.
      expect(await waitFor(() => !isRunning(grandchild), 3_000)).toBe(true);
      if (pipelineId === "stubborn") expect(elapsed).toBeGreaterThanOrEqual(graceMs - 50);

      const out = JSON.parse(result.stdout) as {
        run_id: string;
        status: string;
        status_detail: string;
        manifest: string;
      };
      expect(out.status).toBe("cancelled");
      expect(out.status_detail).toBe(`signal:${signal}`);
      const manifest = readJson<{
        status: string;
        status_detail: string;
        completed_at: string | null;
        metrics_recorded: boolean;
        commands: {
          id: string;
          status: string;
          exit_code: number | null;
          signal?: string | null;
          error_file: string | null;
        }[];
      }>(root, out.manifest);
      expect(validatorsFor("manifest").validate(manifest).valid).toBe(true);
      expect(manifest.status).toBe("cancelled");
      expect(manifest.status_detail).toBe(`signal:${signal}`);
      expect(manifest.completed_at).not.toBeNull();
      expect(manifest.metrics_recorded).toBe(true);
      const stopped = manifest.commands.find((entry) => entry.id === pipelineId);
      expect(stopped?.status).toBe("failed");
      expect(stopped?.exit_code).not.toBe(0);
      expect(stopped?.signal).toBe(pipelineId === "stubborn" ? "SIGKILL" : "SIGTERM");
      expect(stopped?.error_file).not.toBeNull();
      if (pipelineId === "bg")
        expect(manifest.commands.find((entry) => entry.id === "never")?.status).toBe("pending");

      const metrics = readNdjson<{ run_id: string; status: string }>(root, ".runs/0101/metrics.json");
      expect(metrics.filter((line) => line.run_id === out.run_id).map((line) => line.status)).toEqual([
        "cancelled",
      ]);
      const state = readJson<{ runs: { run_id: string; status: string }[] }>(root, "out/0101/state.json");
      expect(state.runs.find((run) => run.run_id === out.run_id)?.status).toBe("cancelled");
      const events = readNdjson<{ type: string; status?: string }>(
        root,
        path.join(path.dirname(out.manifest), "runner.ndjson"),
      );
      expect(events.at(-1)).toMatchObject({ type: "run:end", status: "cancelled" });
      expect(checkRunArtifacts(root, "0101", out.run_id).problems).toEqual([]);
      // The owner released the run: nothing holds it any more.
      expect(existsSync(path.join(root, path.dirname(out.manifest), ".owner.lock"))).toBe(false);
    },
  );
});

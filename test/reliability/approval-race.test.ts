import { describe, expect, it } from "vitest";
import { readJson, runCliJson } from "../helpers/cli.js";
import { pipeline, runCliAsync, stackLines, tempRepo } from "./support.js";

const ROUNDS = 12;

describe("approve and approve --reject at the same moment", () => {
  it(`exactly one decision is accepted, the other refused with exit 2 (${ROUNDS} rounds)`, async () => {
    const root = tempRepo({
      defaultPipeline: "gated",
      pipelines: [pipeline("gated", [{ kind: "manual", id: "gate", title: "Gate", instructions: "Look" }])],
    });
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const paused = runCliJson<{ run_id: string; artifact_root: string; status: string }>(root, [
        "start",
        "--approval-policy",
        "pause",
      ]);
      expect(paused.json.status).toBe("awaiting_approval");
      const runId = paused.json.run_id;
      const [approve, reject] = await Promise.all([
        runCliAsync(root, ["approve", runId, "--stage", "gate", "--actor", "alice"]),
        runCliAsync(root, ["approve", runId, "--stage", "gate", "--actor", "bob", "--reject"]),
      ]);
      const accepted = [approve, reject].filter((result) => result.status === 0);
      const refused = [approve, reject].filter((result) => result.status === 2);
      expect(accepted, `round ${round}: ${approve.stderr} | ${reject.stderr}`).toHaveLength(1);
      expect(refused).toHaveLength(1);
      const refusal = refused[0]?.stderr.trim() ?? "";
      expect(refusal.split("\n")).toHaveLength(1);
      expect(refusal).toMatch(
        /^codex-orchestrator: Gate "gate" of run .* (was (approved|rejected) by|is not awaiting)/,
      );
      expect(stackLines(refusal)).toEqual([]);
      // The manifest holds the one accepted decision.
      const manifest = readJson<{ approvals: { decision: string }[] }>(
        root,
        `${paused.json.artifact_root}/manifest.json`,
      );
      expect(manifest.approvals).toHaveLength(1);
      const winner = accepted[0] === approve ? "approved" : "rejected";
      expect(manifest.approvals[0]?.decision).toBe(winner);
      outcomes.push(winner);
    }
    console.log(
      `approval race: ${ROUNDS} rounds, approved first ${outcomes.filter((o) => o === "approved").length}, rejected first ${outcomes.filter((o) => o === "rejected").length}, both accepted 0`,
    );
  }, 120_000);
});

import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { assertCliBuilt, readNdjson, runCli } from "../helpers/cli.js";
import { command, expectCompleteRunArtifacts, pipeline, tempRepo } from "./support.js";

beforeAll(() => assertCliBuilt());

// 30 MB: past the output after which a run's logs are sealed and written on a thread of their own.
const BYTES = 30_000_000;
const LINE = 'line "quoted"\ttab é\n';

describe("a stage with heavy output", () => {
  it("keeps its output byte-exact and its logs' chains verifiable when a writer thread takes the logs over", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("big", [
          command("first", "echo first"),
          command("print", `yes '${LINE.slice(0, -1)}' | head -c ${BYTES}; echo finished >&2`),
          command("after", "echo after"),
        ]),
      ],
    });
    const started = runCli(root, ["start", "big"], { env: { CODEX_ORCHESTRATOR_OUTPUT_LOGS: "none" } });
    expect(started.status, started.stderr).toBe(0);
    const runId = readdirSync(path.join(root, ".runs/0101/cli"))[0] as string;
    const runDir = `.runs/0101/cli/${runId}`;
    expectCompleteRunArtifacts(root, `${runDir}/manifest.json`);

    const events = readNdjson<{ type: string; data?: string }>(root, `${runDir}/commands/02-print.ndjson`);
    const expected = createHash("sha256");
    const whole = Buffer.from(LINE.repeat(Math.ceil(BYTES / Buffer.byteLength(LINE)) + 1), "utf8").subarray(
      0,
      BYTES,
    );
    expected.update(whole);
    const written = createHash("sha256");
    for (const event of events) if (event.type === "command:stdout") written.update(event.data ?? "", "utf8");
    expect(written.digest("hex")).toBe(expected.digest("hex"));
    expect(events.filter((event) => event.type === "command:stderr").map((event) => event.data)).toEqual([
      "finished\n",
    ]);
    // runner.ndjson holds every line of every stage's log, the last stage's after the big one.
    const runner = readNdjson<{ type: string; index: number | null }>(root, `${runDir}/runner.ndjson`);
    const outputLines = (list: { type: string }[]) =>
      list.filter((event) => event.type === "command:stdout").length;
    expect(outputLines(runner.filter((event) => event.index === 2))).toBe(outputLines(events));
    expect(runner.filter((event) => event.index === 3 && event.type === "command:stdout")).toHaveLength(1);

    const verified = runCli(root, ["verify", runId]);
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/verified/);
  });
});

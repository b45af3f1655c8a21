import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readJson, readNdjson, runCliJson } from "../helpers/cli.js";
import { checkRunArtifacts, command, isRunning, pipeline, tempRepo, waitFor } from "./support.js";

interface Attempt {
  attempt: number;
  started_at: string;
  completed_at: string | null;
  exit_code: number | null;
  signal: string | null;
  reason: string | null;
}
interface Entry {
  id: string;
  status: string;
  exit_code: number | null;
  exit_reason?: string | null;
  attempts?: Attempt[];
}
interface Event {
  type: string;
  attempt?: number;
  reason?: string;
  data?: string;
}

const FLAKY =
  'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo "attempt $n"; [ "$n" -ge 2 ]';

describe("per-stage timeouts and retries", () => {
  it("kills a timed-out stage's whole process group and classifies each attempt", async () => {
    const root = tempRepo({
      defaultPipeline: "p",
      pipelines: [
        pipeline("p", [
          command("slow", "echo started; sleep 300 & echo $! >> bg.pids; sleep 300", {
            timeoutSeconds: 0.5,
            retries: 1,
            retryBackoffSeconds: 0.2,
          }),
        ]),
      ],
    });
    const started = Date.now();
    const result = runCliJson<{ run_id: string; status: string; status_detail: string; manifest: string }>(
      root,
      ["start"],
      {
        env: { CODEX_ORCHESTRATOR_KILL_GRACE_MS: "300" },
      },
    );
    expect(result.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.json.status).toBe("failed");
    expect(result.json.status_detail).toBe("stage:slow:timeout");

    const pids = readFileSync(path.join(root, "bg.pids"), "utf8").trim().split("\n").map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await waitFor(() => !isRunning(pid), 3_000)).toBe(true);

    const manifest = readJson<{ commands: Entry[] }>(root, result.json.manifest);
    const entry = manifest.commands[0] as Entry;
    expect(entry.status).toBe("failed");
    expect(entry.exit_reason).toBe("timeout");
    expect(entry.attempts?.map((attempt) => [attempt.attempt, attempt.reason])).toEqual([
      [1, "timeout"],
      [2, "timeout"],
    ]);
    for (const attempt of entry.attempts ?? []) {
      expect(attempt.completed_at).not.toBeNull();
      expect(attempt.exit_code).toBeNull();
      expect(attempt.signal).toBe("SIGTERM");
    }
    const events = readNdjson<Event>(
      root,
      path.join(path.dirname(result.json.manifest), "commands/01-slow.ndjson"),
    );
    expect(
      events.filter((event) => event.type === "command:end").map((event) => [event.attempt, event.reason]),
    ).toEqual([
      [1, "timeout"],
      [2, "timeout"],
    ]);
    expect(events.filter((event) => event.type === "command:stdout").map((event) => event.attempt)).toEqual([
      1, 2,
    ]);
    expect(checkRunArtifacts(root, "0101", result.json.run_id).problems).toEqual([]);
  });

  it("retries a flaky stage with backoff; it succeeds on attempt 2 and keeps both attempts' lines", () => {
    const root = tempRepo({
      defaultPipeline: "p",
      pipelines: [
        pipeline("p", [
          command("flaky", FLAKY, { retries: 3, retryBackoffSeconds: 0.6 }),
          command("after", "echo after"),
        ]),
      ],
    });
    const result = runCliJson<{ run_id: string; status: string; manifest: string }>(root, ["start"]);
    expect(result.status).toBe(0);
    expect(result.json.status).toBe("succeeded");
    const entry = readJson<{ commands: Entry[] }>(root, result.json.manifest).commands[0] as Entry;
    expect(entry.status).toBe("succeeded");
    expect(entry.attempts?.map((attempt) => [attempt.attempt, attempt.reason, attempt.exit_code])).toEqual([
      [1, "exit", 1],
      [2, "exit", 0],
    ]);
    const [first, second] = entry.attempts as [Attempt, Attempt];
    // The backoff (0.6 s before attempt 2) separates the attempts.
    expect(Date.parse(second.started_at) - Date.parse(first.completed_at as string)).toBeGreaterThanOrEqual(
      550,
    );
    const events = readNdjson<Event>(
      root,
      path.join(path.dirname(result.json.manifest), "commands/01-flaky.ndjson"),
    );
    expect(events.map((event) => [event.type, event.attempt])).toEqual([
      ["command:start", 1],
      ["command:stdout", 1],
      ["command:end", 1],
      ["command:start", 2],
      ["command:stdout", 2],
      ["command:end", 2],
    ]);
    expect(events.filter((event) => event.type === "command:stdout").map((event) => event.data)).toEqual([
      "attempt 1\n",
      "attempt 2\n",
    ]);
    expect(readFileSync(path.join(root, "count"), "utf8").trim()).toBe("2");
  });

  it("classifies exit codes and signals, and gives up after the last retry", () => {
    const root = tempRepo({
      pipelines: [
        pipeline("exits", [command("exits", "echo no; exit 7", { retries: 2, retryBackoffSeconds: 0 })]),
        pipeline("signals", [command("signals", "kill -KILL $$", { retries: 1, retryBackoffSeconds: 0 })]),
      ],
    });
    const exits = runCliJson<{ manifest: string; status_detail: string }>(root, ["start", "exits"]);
    expect(exits.status).toBe(1);
    expect(exits.json.status_detail).toBe("stage:exits:failed");
    const exitEntry = readJson<{ commands: Entry[] }>(root, exits.json.manifest).commands[0] as Entry;
    expect(exitEntry.attempts?.map((attempt) => [attempt.reason, attempt.exit_code])).toEqual([
      ["exit", 7],
      ["exit", 7],
      ["exit", 7],
    ]);
    expect(exitEntry.exit_code).toBe(7);

    const signals = runCliJson<{ manifest: string; status_detail: string }>(root, ["start", "signals"]);
    expect(signals.status).toBe(1);
    const signalEntry = readJson<{ commands: Entry[] }>(root, signals.json.manifest).commands[0] as Entry;
    expect(signalEntry.status).toBe("failed");
    expect(signalEntry.exit_reason).toBe("signal");
    expect(signalEntry.attempts?.map((attempt) => [attempt.reason, attempt.signal])).toEqual([
      ["signal", "SIGKILL"],
      ["signal", "SIGKILL"],
    ]);
  });
});

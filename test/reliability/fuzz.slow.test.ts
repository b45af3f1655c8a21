import { mkdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configJson, runCli } from "../helpers/cli.js";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";
import { snapshotTree } from "./support.js";

// Ids with the characters that matter: separators, dots, reserved and control characters.
const idCharacters = fc.constantFrom(
  "a",
  "b",
  "0",
  "-",
  "_",
  ".",
  "..",
  "/",
  "\\",
  "<",
  ">",
  ":",
  '"',
  "|",
  "?",
  "*",
  " ",
  "\u0001",
  "\n",
  "\u001b",
  "é",
  "$HOME",
  "`id`",
);
const fuzzId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,12}$/),
  fc.array(idCharacters, { minLength: 0, maxLength: 6 }).map((parts) => parts.join("")),
);
// Stage commands come from a harmless set: the fuzz is about the orchestrator, not the shell.
const safeCommand = fc.constantFrom("true", "echo hi", "exit 1", "echo err >&2; exit 3");
const fuzzStage = fc.oneof(
  fc.record(
    {
      kind: fc.constantFrom("command", "command", "subpipeline", "manual", "docker", 7),
      id: fuzzId,
      title: fc.oneof(fc.string(), fc.constant(null)),
      command: safeCommand,
      pipeline: fc.constantFrom("p", "q", "missing"),
      cwd: fc.constantFrom(".", "sub", "../..", "/"),
      timeoutSeconds: fc.oneof(fc.constant(5), fc.constant(-1), fc.constant("5")),
      retries: fc.oneof(fc.constant(0), fc.constant(1), fc.constant(1.5), fc.constant(99)),
      env: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer())),
    },
    { requiredKeys: ["kind", "id"] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const fuzzConfig = fc.oneof(
  fc
    .record(
      {
        defaultPipeline: fc.oneof(fuzzId, fc.constant("p")),
        pipelines: fc.array(
          fc.record(
            {
              id: fc.oneof(fc.constantFrom("p", "q"), fuzzId),
              title: fc.constant("T"),
              stages: fc.array(fuzzStage, { maxLength: 4 }),
              extends: fc.constantFrom("p", "q", "diagnostics"),
            },
            { requiredKeys: ["id"] },
          ),
          { maxLength: 3 },
        ),
        projects: fc.array(
          fc.record({ taskId: fuzzId, path: fc.constantFrom(".", "sub", "../out", "/etc") }),
          { maxLength: 2 },
        ),
        redact: fc.record({ values: fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 }) }),
      },
      { requiredKeys: [] },
    )
    .map((config) => configJson(config)),
  fc.jsonValue({ maxDepth: 3 }).map((value) => configJson(value)),
  fc.string({ maxLength: 40 }),
);
const fuzzArgs = fc.tuple(
  fc.constantFrom("start", "plan", "status", "resume", "approve", "runs", "help", "bogus", "--version"),
  fc.array(
    fc.oneof(
      fuzzId,
      fc.constantFrom(
        "--task",
        "--run",
        "--format",
        "json",
        "text",
        "--interval",
        "--since",
        "--limit",
        "--stage",
        "--token",
        "--actor",
        "--approval-policy",
        "auto-approve",
        "--watch",
        "--latest",
        "--bogus",
        "-1",
        "0",
        "7d",
      ),
    ),
    { maxLength: 5 },
  ),
);

describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")(
  "property-based fuzz over configs, ids and flags",
  () => {
    it("never crashes and never writes outside .runs and out", () => {
      let runs = 0;
      const exits = new Map<number, number>();
      fc.assert(
        fc.property(
          fuzzConfig,
          fuzzArgs,
          fc.option(fuzzId, { nil: undefined }),
          (config, [commandName, rest], taskEnv) => {
            const sandbox = tempDir("codex-orchestrator-fuzz-");
            const root = path.join(sandbox, "repo");
            const sentinel = path.join(sandbox, "outside");
            mkdirSync(path.join(root, "sub"), { recursive: true });
            writeFiles(sentinel, { "keep.txt": "untouched\n" });
            writeFiles(root, { "codex.orchestrator.json": config });
            const outsideBefore = snapshotTree(sentinel);
            const repoBefore = snapshotTree(root).filter(
              (entry) => !/^[dfl] (\.runs|out)(\/| |$)/.test(entry),
            );
            const env: NodeJS.ProcessEnv =
              taskEnv === undefined || taskEnv.includes("\u0000") ? {} : { MCP_RUNNER_TASK_ID: taskEnv };
            const result = runCli(root, [commandName, ...rest], { env, timeoutMs: 60_000 });
            runs += 1;
            exits.set(result.status ?? -1, (exits.get(result.status ?? -1) ?? 0) + 1);
            expect(result.signal).toBeNull();
            expect([0, 1, 2, 3]).toContain(result.status);
            expect(result.stderr).not.toMatch(/unexpected error|^\s+at /m);
            expect(snapshotTree(sentinel)).toEqual(outsideBefore);
            // Anything new in the repo lives under .runs or out.
            const repoAfter = snapshotTree(root).filter(
              (entry) => !/^[dfl] (\.runs|out)(\/| |$)/.test(entry),
            );
            expect(repoAfter).toEqual(repoBefore);
          },
        ),
        { numRuns: 100, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
      );
      console.log(
        `fuzz: ${runs} CLI runs, uncaught exceptions: 0, writes outside .runs/out: 0, exit codes ${JSON.stringify(Object.fromEntries(exits))}`,
      );
    }, 600_000);
  },
);

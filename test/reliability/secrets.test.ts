import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliJson } from "../helpers/cli.js";
import { command, listFiles, pipeline, tempRepo } from "./support.js";

const API_TOKEN = "tok-abc-1234567890";
const DB_PASSWORD = "pw-split-across-chunks-42";
const CONFIG_VALUE = "cfg-literal-secret-77";
const STAGE_SECRET = "stage-level-secret-99";
const SECRETS = [API_TOKEN, DB_PASSWORD, CONFIG_VALUE, STAGE_SECRET];

// Half of the password, a pause (so the halves arrive as separate output chunks), then the rest.
const SPLIT = `printf 'db=%s' "$(printf %s "$DB_PASSWORD" | cut -c1-9)"; sleep 0.2; printf '%s\\n' "$(printf %s "$DB_PASSWORD" | cut -c10-)"`;
const CONFIG = {
  defaultPipeline: "leaky",
  redact: { values: [CONFIG_VALUE] },
  pipelines: [
    pipeline("leaky", [
      command(
        "echo",
        `echo "token=$API_TOKEN"; ${SPLIT}; echo "config=${CONFIG_VALUE}" >&2; echo "stage=$STAGE_SECRET"`,
        {
          env: { STAGE_SECRET },
          summaryHint: `hint ${CONFIG_VALUE}`,
        },
      ),
      command("check", `test "$STAGE_SECRET" = "${STAGE_SECRET}" && test -f ok`, { env: { STAGE_SECRET } }),
      command("fail", `echo "$API_TOKEN"; echo "$DB_PASSWORD" >&2; exit 3`),
    ]),
  ],
};

function hits(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

describe("secrets are redacted in every artifact", () => {
  it("env secrets, config values and stage env secrets, split across chunks, in stdout, stderr, errors, summaries, status", () => {
    const root = tempRepo(CONFIG);
    const env = { API_TOKEN, DB_PASSWORD };
    const first = runCliJson<{ run_id: string; artifact_root: string; status_detail: string }>(
      root,
      ["start"],
      { env },
    );
    expect(first.status).toBe(1);
    // The stage checking its real env value failed only for lack of `ok`; resume replays the plan
    // with the real (unredacted) values although pipeline.json holds them redacted.
    expect(first.json.status_detail).toBe("stage:check:failed");
    // Lets the `check` stage pass on resume.
    writeFileSync(path.join(root, "ok"), "");
    const resumed = runCliJson<{ status_detail: string }>(root, ["resume", first.json.run_id], { env });
    expect(resumed.status).toBe(1);
    expect(resumed.json.status_detail).toBe("stage:fail:failed");
    const status = runCli(root, ["status", first.json.run_id, "--format", "json"], { env });
    expect(status.status).toBe(0);

    const runDir = path.join(root, first.json.artifact_root);
    const searched: string[] = [
      ...listFiles(runDir).map((file) => path.join(runDir, file)),
      ...listFiles(path.join(root, ".runs")).map((file) => path.join(root, ".runs", file)),
      path.join(root, "out/0101/state.json"),
    ];
    const leaks: string[] = [];
    let redactedFiles = 0;
    for (const file of new Set(searched)) {
      const text = readFileSync(file, "utf8");
      for (const secret of hits(text)) leaks.push(`${path.relative(root, file)}: ${secret}`);
      if (text.includes("[REDACTED]")) redactedFiles += 1;
    }
    for (const [name, text] of [
      ["start stdout", first.stdout],
      ["start stderr", first.stderr],
      ["resume stdout", resumed.stdout],
      ["resume stderr", resumed.stderr],
      ["status", status.stdout],
    ] as const) {
      for (const secret of hits(text)) leaks.push(`${name}: ${secret}`);
    }
    console.log(
      `secrets: files searched: ${new Set(searched).size + 5}, leaks: ${leaks.length}, files with [REDACTED]: ${redactedFiles}`,
    );
    expect(leaks).toEqual([]);
    // Join the stage's output chunks: the redactor holds back text that may begin a secret.
    const output = (type: string) =>
      readFileSync(path.join(runDir, "commands/01-echo.ndjson"), "utf8")
        .split("\n")
        .filter((line) => line.includes(`"${type}"`))
        .map((line) => (JSON.parse(line) as { data: string }).data)
        .join("");
    expect(output("command:stdout")).toBe("token=[REDACTED]\ndb=[REDACTED]\nstage=[REDACTED]\n");
    expect(output("command:stderr")).toBe("config=[REDACTED]\n");
    for (const file of ["manifest.json", "errors/03-fail.json", "run-summary.json", "pipeline.json"]) {
      expect(readFileSync(path.join(runDir, file), "utf8")).toContain("[REDACTED]");
    }
    expect(status.stdout).toContain("[REDACTED]");
  });

  it("a nested run redacts the env secrets of all its stages in the output of each", () => {
    const childSecret = "child-stage-secret-55";
    const root = tempRepo({
      defaultPipeline: "parent",
      pipelines: [
        pipeline("parent", [{ kind: "subpipeline", id: "nested", title: "Nested", pipeline: "child" }]),
        pipeline("child", [
          command("holder", 'test -n "$DEPLOY_TOKEN"', { env: { DEPLOY_TOKEN: childSecret } }),
          // This stage has no secret of its own: it prints the other stage's value literally.
          command("printer", `echo "leak=${childSecret}"; printf 'err=%s\\n' '${childSecret}' >&2`),
        ]),
      ],
    });
    const result = runCliJson<{ artifact_root: string }>(root, ["start"]);
    expect(result.status).toBe(0);
    const runsDir = path.join(root, ".runs");
    const files = listFiles(runsDir).filter((file) => file.endsWith(".ndjson"));
    const printerLogs = files.filter((file) => file.endsWith("02-printer.ndjson"));
    expect(printerLogs).toHaveLength(1);
    const log = readFileSync(path.join(runsDir, printerLogs[0]!), "utf8");
    expect(log).toContain("leak=[REDACTED]");
    expect(log).toContain("err=[REDACTED]");
    for (const file of files)
      expect(readFileSync(path.join(runsDir, file), "utf8")).not.toContain(childSecret);
  });

  it("secrets shorter than 4 characters are not redacted (documented limit)", () => {
    const root = tempRepo({
      defaultPipeline: "p",
      pipelines: [pipeline("p", [command("echo", 'echo "pin=$PIN_KEY"')])],
    });
    const result = runCliJson<{ artifact_root: string }>(root, ["start"], { env: { PIN_KEY: "123" } });
    expect(result.status).toBe(0);
    expect(
      readFileSync(path.join(root, result.json.artifact_root, "commands/01-echo.ndjson"), "utf8"),
    ).toContain("pin=123");
  });
});

// Secrets are replaced inside string values before anything is serialized, never in JSON text: a
// secret that spells a JSON literal, a key name or a path fragment must leave every file readable.
describe("secrets that look like structure", () => {
  it.each([
    ["a JSON literal", { SKIP_TOKEN_CHECK: "true" }, "echo flag=true"],
    ["a key name and a path fragment", { MY_KEY: "runs" }, "echo runs"],
    ["a status", { STATUS_SECRET: "failed" }, "echo failed"],
    ["null", { NULL_TOKEN: "null" }, "echo null"],
  ])("%s: every artifact stays valid and readable by status, runs and resume", (_, env, line) => {
    const root = tempRepo({
      defaultPipeline: "p",
      pipelines: [pipeline("p", [command("say", line), command("gate-free", "exit 4")])],
    });
    const started = runCliJson<{ run_id: string; artifact_root: string; manifest: string }>(root, ["start"], {
      env,
    });
    expect(started.status).toBe(1);
    const secret = Object.values(env)[0] as string;
    const runDir = path.join(root, started.json.artifact_root);
    // Every JSON file parses, and the manifest keeps its structure (paths and key names intact).
    for (const file of listFiles(runDir).filter((name) => name.endsWith(".json")))
      expect(() => JSON.parse(readFileSync(path.join(runDir, file), "utf8")), file).not.toThrow();
    for (const file of listFiles(runDir).filter((name) => name.endsWith(".ndjson")))
      for (const text of readFileSync(path.join(runDir, file), "utf8").trimEnd().split("\n"))
        expect(() => JSON.parse(text), `${file}: ${text}`).not.toThrow();
    const manifest = JSON.parse(readFileSync(path.join(root, started.json.manifest), "utf8")) as {
      metrics_recorded: unknown;
      child_runs: unknown;
      artifact_root: string;
      commands: { command: string; status: string }[];
    };
    expect(typeof manifest.metrics_recorded).toBe("boolean");
    expect(Array.isArray(manifest.child_runs)).toBe(true);
    expect(manifest.artifact_root).toBe(started.json.artifact_root);
    expect(manifest.commands.map((entry) => entry.status)).toEqual(["succeeded", "failed"]);
    // The stage's output and command text are redacted as values.
    expect(manifest.commands[0]?.command).toBe(line.replace(secret, "[REDACTED]"));
    const status = runCliJson<{ status: string }>(root, ["status", started.json.run_id], { env });
    expect(status.status).toBe(0);
    expect(status.json.status).toBe("failed");
    const runs = runCliJson<{ run_id: string }[]>(root, ["runs"], { env });
    expect(runs.json.map((run) => run.run_id)).toEqual([started.json.run_id]);
    const resumed = runCliJson<{ status: string }>(root, ["resume", started.json.run_id], { env });
    expect(resumed.status).toBe(1);
    expect(resumed.json.status).toBe("failed");
  });
});

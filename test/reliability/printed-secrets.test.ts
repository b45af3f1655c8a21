import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliJson } from "../helpers/cli.js";
import { command, listFiles, pipeline, tempRepo } from "./support.js";

const STAGE_SECRET = "stage-env-secret-31";
const CONFIG_VALUE = "configured-value-57";
const ENV_TOKEN = "environment-token-83";
const SECRETS = [STAGE_SECRET, CONFIG_VALUE, ENV_TOKEN];

function leaks(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

const LEAKY_CONFIG = {
  defaultPipeline: "leaky",
  redact: { values: [CONFIG_VALUE] },
  pipelines: [
    pipeline("leaky", [
      command("deploy", `deploy --key ${STAGE_SECRET} --user ${CONFIG_VALUE} --auth ${ENV_TOKEN}`, {
        title: `Deploy as ${CONFIG_VALUE}`,
        cwd: `dirs/${CONFIG_VALUE}`,
        env: { API_SECRET: STAGE_SECRET, PLAIN: `user-${CONFIG_VALUE}`, SHORT_KEY: "abc" },
        summaryHint: `hint ${STAGE_SECRET}`,
      }),
      {
        kind: "manual",
        id: "gate",
        title: `Gate for ${CONFIG_VALUE}`,
        instructions: `Check ${CONFIG_VALUE} and ${STAGE_SECRET} with ${ENV_TOKEN}`,
      },
    ]),
  ],
};
const env = { DEPLOY_TOKEN: ENV_TOKEN };

describe("what the CLI prints is redacted like what it writes", () => {
  it("plan (text): secret env values, config values and env secrets in command, title, cwd, instructions", () => {
    const root = tempRepo(LEAKY_CONFIG);
    const result = runCli(root, ["plan"], { env });
    expect(result.status).toBe(0);
    expect(leaks(result.stdout + result.stderr)).toEqual([]);
    expect(result.stdout).toContain("API_SECRET=[REDACTED]");
    // A secret-named value is hidden whatever its length; other values keep their text.
    expect(result.stdout).toContain("SHORT_KEY=[REDACTED]");
    expect(result.stdout).toContain("PLAIN=user-[REDACTED]");
    expect(result.stdout).toContain("command: deploy --key [REDACTED] --user [REDACTED] --auth [REDACTED]");
    expect(result.stdout).toContain("Deploy as [REDACTED]");
    expect(result.stdout).toContain("cwd: dirs/[REDACTED]");
    expect(result.stdout).toContain("instructions: Check [REDACTED] and [REDACTED] with [REDACTED]");
  });

  it("plan --format json: the same fields redacted", () => {
    const result = runCliJson<{
      stages: {
        command: string | null;
        title: string;
        cwd: string | null;
        env: Record<string, string>;
        instructions: string | null;
      }[];
      plan: { items: { description: string }[] };
    }>(tempRepo(LEAKY_CONFIG), ["plan"], { env });
    expect(result.status).toBe(0);
    expect(leaks(result.stdout)).toEqual([]);
    const [deploy, gate] = result.json.stages;
    expect(deploy?.env).toEqual({
      API_SECRET: "[REDACTED]",
      PLAIN: "user-[REDACTED]",
      SHORT_KEY: "[REDACTED]",
    });
    expect(deploy?.command).toBe("deploy --key [REDACTED] --user [REDACTED] --auth [REDACTED]");
    expect(deploy?.title).toBe("Deploy as [REDACTED]");
    expect(deploy?.cwd).toBe("dirs/[REDACTED]");
    expect(gate?.instructions).toBe("Check [REDACTED] and [REDACTED] with [REDACTED]");
    expect(result.json.plan.items.map((item) => item.description)).toEqual([
      "Deploy as [REDACTED]",
      "Gate for [REDACTED]",
    ]);
  });

  it("start: a gate's instructions are printed redacted", () => {
    const gateOnly = tempRepo({
      defaultPipeline: "gated",
      redact: { values: [CONFIG_VALUE] },
      pipelines: [
        pipeline("gated", [
          {
            kind: "manual",
            id: "gate",
            title: "Gate",
            instructions: `Check ${CONFIG_VALUE} with ${ENV_TOKEN}`,
          },
        ]),
      ],
    });
    const result = runCli(gateOnly, ["start", "--approval-policy", "pause"], { env });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("Check [REDACTED] with [REDACTED]");
    expect(leaks(result.stdout + result.stderr)).toEqual([]);
  });

  it("a child run resumed by its parent's resume is redacted with its own stage secrets", () => {
    const nested = tempRepo({
      defaultPipeline: "parent",
      pipelines: [
        pipeline("parent", [{ kind: "subpipeline", id: "nested", title: "Nested", pipeline: "child" }]),
        pipeline("child", [
          command("leak", `echo ${STAGE_SECRET}; echo "$CHILD_SECRET" >&2; test -f ok`, {
            env: { CHILD_SECRET: STAGE_SECRET },
          }),
        ]),
      ],
    });
    const first = runCliJson<{ run_id: string }>(nested, ["start"]);
    expect(first.status).toBe(1);
    writeFileSync(path.join(nested, "ok"), "");
    const resumed = runCli(nested, ["resume", first.json.run_id]);
    expect(resumed.status).toBe(0);
    expect(leaks(resumed.stdout + resumed.stderr)).toEqual([]);
    const runsDir = path.join(nested, ".runs");
    const found: string[] = [];
    for (const file of listFiles(runsDir)) {
      if (leaks(readFileSync(path.join(runsDir, file), "utf8")).length > 0) found.push(file);
    }
    expect(found).toEqual([]);
    // Both of the child's attempts ran and were logged (redacted).
    const cliDir = path.join(runsDir, "0101/cli");
    const child = readdirSync(cliDir).find((id) => id !== first.json.run_id) as string;
    const log = readFileSync(path.join(cliDir, child, "commands/01-leak.ndjson"), "utf8");
    expect(log.match(/"command:end"/g)).toHaveLength(2);
    expect(log).toContain("[REDACTED]");
  });
});

import { parseArgs } from "node:util";
import { APPROVAL_POLICY_PATTERN } from "./approval-policies.js";

/** The arguments of `plan` that the fast path understands. */
export interface PlanArguments {
  pipeline?: string;
  task?: string;
  format: "text" | "json";
}

/** The arguments of `start` that the fast path understands. */
export interface StartArguments extends PlanArguments {
  parentRun?: string;
  approvalPolicy?: string;
}

/** A command line bin.ts can run without the command parser. */
export type FastCommand =
  { command: "plan"; argv: PlanArguments } | { command: "start"; argv: StartArguments };

// The string options each fast command accepts (as yargs declares them in cli.ts).
const FLAGS = {
  plan: ["task", "format"],
  start: ["task", "format", "parent-run", "approval-policy"],
} as const;

/**
 * Recognises the common, plain forms of `plan` and `start` (`<command> [pipeline] [--task <id>]
 * [--format text|json]`, and for start `--parent-run <id>` and `--approval-policy <policy>`) so that
 * bin.ts can run them without loading the command parser (yargs costs ~20 ms of start-up). Anything
 * else (help, a typo, a repeated, empty or unknown flag or value, `--`) returns null and goes through
 * yargs, which owns every message and error.
 */
export function parseFastCommand(args: readonly string[]): FastCommand | null {
  const command = args[0];
  if ((command !== "plan" && command !== "start") || args.includes("--")) return null;
  const flags = FLAGS[command];
  let parsed;
  try {
    parsed = parseArgs({
      args: args.slice(1),
      options: Object.fromEntries(flags.map((flag) => [flag, { type: "string" as const }])),
      allowPositionals: true,
      strict: true,
    });
  } catch {
    return null;
  }
  const { positionals } = parsed;
  const values = parsed.values as Partial<Record<(typeof flags)[number], string>>;
  if (positionals.length > 1 || positionals[0] === "" || positionals[0]?.startsWith("-")) return null;
  if (Object.values(values).some((value) => value === "" || value.startsWith("-"))) return null;
  const repeated = flags.some(
    (flag) => args.filter((arg) => arg === `--${flag}` || arg.startsWith(`--${flag}=`)).length > 1,
  );
  if (repeated) return null;
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") return null;
  const policy = "approval-policy" in values ? values["approval-policy"] : undefined;
  if (policy !== undefined && !APPROVAL_POLICY_PATTERN.test(policy)) return null;

  const common: PlanArguments = {
    format,
    ...(positionals[0] === undefined ? {} : { pipeline: positionals[0] }),
    ...(values.task === undefined ? {} : { task: values.task }),
  };
  if (command === "plan") return { command, argv: common };
  const parentRun = "parent-run" in values ? values["parent-run"] : undefined;
  return {
    command,
    argv: {
      ...common,
      ...(parentRun === undefined ? {} : { parentRun }),
      ...(policy === undefined ? {} : { approvalPolicy: policy }),
    },
  };
}

import { parseArgs } from "node:util";

/** The arguments of `plan` that the fast path understands. */
export interface PlanArguments {
  pipeline?: string;
  task?: string;
  format: "text" | "json";
}

/**
 * Recognises the common, plain forms of `plan [pipeline] [--task <id>] [--format text|json]` so that
 * bin.ts can run them without loading the command parser (yargs costs ~20 ms of start-up). Anything
 * else (help, a typo, a repeated or empty flag, `--`) returns null and goes through yargs, which
 * owns every message and error.
 */
export function parsePlanArguments(args: readonly string[]): PlanArguments | null {
  if (args[0] !== "plan" || args.includes("--")) return null;
  let parsed;
  try {
    parsed = parseArgs({
      args: args.slice(1),
      options: { task: { type: "string" }, format: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
  } catch {
    return null;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) return null;
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") return null;
  if (values.task === "" || positionals[0] === "" || positionals[0]?.startsWith("-")) return null;
  const repeated = ["--task", "--format"].some(
    (flag) => args.filter((arg) => arg === flag || arg.startsWith(`${flag}=`)).length > 1,
  );
  if (repeated) return null;
  return {
    format,
    ...(positionals[0] === undefined ? {} : { pipeline: positionals[0] }),
    ...(values.task === undefined ? {} : { task: values.task }),
  };
}

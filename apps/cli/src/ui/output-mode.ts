import { UsageError } from "../errors.js";

/** How much stage output `start` and `resume` show (`--output-logs`). */
export const OUTPUT_LOGS_CHOICES = ["full", "failed", "none"] as const;
/** How much stage output is shown. */
export type OutputLogs = (typeof OUTPUT_LOGS_CHOICES)[number];

/** The environment variable that sets `--output-logs` when the flag is not given. */
export const OUTPUT_LOGS_VARIABLE = "CODEX_ORCHESTRATOR_OUTPUT_LOGS";

/** Every decision about how progress is shown, taken in one place from the stream and the environment. */
export interface OutputMode {
  /** ANSI colours on stderr. */
  color: boolean;
  /** A live view redrawn in place (a terminal), else plain streamed lines. */
  live: boolean;
  /** The terminal's width, 0 when unknown or not a terminal (no truncation then). */
  columns: number;
  /** Running under GitHub Actions: groups, annotations and a step summary. */
  githubActions: boolean;
  /** How much stage output is shown. */
  outputLogs: OutputLogs;
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== "";
}

function isTrue(value: string | undefined): boolean {
  return isSet(value) && value !== "0" && value?.toLowerCase() !== "false";
}

/**
 * Whether to colour: `FORCE_COLOR` decides when set (`0`/`false` off, anything else on, even off a
 * terminal; it wins over `NO_COLOR` as in Node itself), then any non-empty `NO_COLOR` turns colours
 * off, then only a terminal whose `TERM` is not `dumb` gets them.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (isSet(env.NO_COLOR)) return false;
  return stream.isTTY === true && env.TERM !== "dumb";
}

/** A terminal's width: a whole-number `COLUMNS` wins, else the stream's own; 0 when unknown or not a terminal. */
export function terminalColumns(
  stream: { isTTY?: boolean; columns?: number },
  env: NodeJS.ProcessEnv,
): number {
  if (stream.isTTY !== true) return 0;
  const fromEnv = env.COLUMNS;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv.trim())) return Number(fromEnv.trim());
  return typeof stream.columns === "number" && stream.columns > 0 ? stream.columns : 0;
}

/** `--output-logs`, else the environment variable; a value that is neither of the choices is a usage error. */
export function parseOutputLogs(flag: string | undefined, env: NodeJS.ProcessEnv): OutputLogs | undefined {
  const [value, source] =
    flag !== undefined ? [flag, "--output-logs"] : [env[OUTPUT_LOGS_VARIABLE], OUTPUT_LOGS_VARIABLE];
  if (value === undefined || (flag === undefined && value === "")) return undefined;
  if ((OUTPUT_LOGS_CHOICES as readonly string[]).includes(value)) return value as OutputLogs;
  throw new UsageError(
    `Invalid ${source} ${JSON.stringify(value)}: expected ${OUTPUT_LOGS_CHOICES.join(", ")}`,
  );
}

/**
 * Decides how a run is shown on `stream` (stderr). The live view needs a terminal that can move its
 * cursor and has a width: not `TERM=dumb`, not 0 columns, not CI (`CI`, `GITHUB_ACTIONS`), where a
 * log is read afterwards and plain lines serve better. Stage output defaults to the last line in the
 * live view (`none` below it) and to every line (`full`) in the stream, like Turborepo.
 */
export function resolveOutputMode(options: {
  stream: { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  outputLogs?: string | undefined;
}): OutputMode {
  const { stream, env } = options;
  const githubActions = env.GITHUB_ACTIONS === "true";
  const columns = terminalColumns(stream, env);
  const live =
    stream.isTTY === true && env.TERM !== "dumb" && columns > 0 && !isTrue(env.CI) && !githubActions;
  const outputLogs = parseOutputLogs(options.outputLogs, env) ?? (live ? "none" : "full");
  return { color: colorEnabled(stream, env), live, columns, githubActions, outputLogs };
}

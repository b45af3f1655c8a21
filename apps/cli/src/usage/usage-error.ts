import { UsageError } from "../errors.js";
import { describeUnknownArguments } from "./suggestions.js";

// What yargs passes to fail() as its third argument at run time (its typings say Argv).
export interface YargsUsage {
  getDescriptions(): Record<string, unknown>;
}

// The registered command names; yargs has them only behind its internal methods (not in its typings).
export function commandNames(parser: unknown): string[] {
  const internal = parser as { getInternalMethods(): { getCommandInstance(): { getCommands(): string[] } } };
  return internal.getInternalMethods().getCommandInstance().getCommands();
}

// yargs' "Unknown argument(s): …" gets the flag or command most likely meant.
export function usageError(
  message: string,
  args: readonly string[],
  usage: YargsUsage,
  commands: readonly string[],
): UsageError {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message)?.[1];
  if (unknown === undefined) return new UsageError(message, "See codex-orchestrator --help.");
  // A word is a mistyped command only where a command goes: before one was recognised.
  const command = args[0] !== undefined && commands.includes(args[0]) ? ` ${args[0]}` : "";
  const described = describeUnknownArguments({
    unknown: unknown.split(", "),
    args,
    flags: Object.keys(usage.getDescriptions()),
    commands: command === "" ? commands : [],
  });
  return new UsageError(described.message, described.hint ?? `See codex-orchestrator${command} --help.`);
}

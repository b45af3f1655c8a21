import yargs from "yargs";
import { reportError, UsageError } from "./errors.js";
import { EXIT_CODES_HELP } from "./usage/help-text.js";
import { refuseRepeatedOptions } from "./usage/repeated-options.js";
import { resolveRootOption, ROOT_OPTION } from "./usage/root-option.js";
import { closestMatch } from "./usage/suggestions.js";
import { skipHelpPrerendering } from "./usage/lazy-help.js";
import { commandNames, usageError, type YargsUsage } from "./usage/usage-error.js";
import { VERSION } from "./version.js";
import { addEvidenceCommands } from "./parser/evidence-commands.js";
import { addReadingCommands } from "./parser/reading-commands.js";
import { addRepositoryCommands } from "./parser/repository-commands.js";
import { addRunCommands } from "./parser/run-commands.js";

/** Parses the command line and runs one command; resolves to the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const base = yargs([...args])
    .scriptName("codex-orchestrator")
    .usage("$0 <command> [options]\n\nRun named pipelines and leave auditable evidence under .runs/.")
    // Global: every command takes it; checked once here, before any command writes anything.
    .option("root", ROOT_OPTION)
    .middleware((argv) => {
      refuseRepeatedOptions(argv);
      resolveRootOption(argv);
    });
  // The commands by what they are for, in the order --help lists them.
  const withCommands = [
    addRunCommands,
    addReadingCommands,
    addEvidenceCommands,
    addRepositoryCommands,
  ].reduce((parser, add) => add(parser, setExitCode), base);
  const parser = withCommands
    .command(
      "help [command]",
      "Show this help, or a command's",
      (command) => command.positional("command", { type: "string", describe: "A command" }),
      async (argv) => {
        if (argv.command === undefined) {
          parser.showHelp("log");
          return;
        }
        const commands = topCommands;
        if (!commands.includes(argv.command)) {
          const match = closestMatch(argv.command, commands);
          throw new UsageError(
            `Unknown command: ${argv.command === "" ? '""' : argv.command}`,
            match === null ? "See codex-orchestrator --help." : `did you mean ${match}?`,
          );
        }
        setExitCode(await main([argv.command, "--help"]));
      },
    )
    // A bare invocation shows the help; an unknown word is caught by strict() below.
    .command(
      "$0",
      false,
      () => {},
      () => {
        parser.showHelp("log");
      },
    )
    .completion("completion", "Print a bash/zsh completion script (append it to ~/.bashrc or ~/.zshrc)")
    .strict()
    .help()
    .alias("h", "help")
    .version(VERSION)
    .epilogue(EXIT_CODES_HELP)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error, usage: unknown) => {
      if (error) throw error;
      throw usageError(message ?? "invalid usage", args, usage as YargsUsage, topCommands);
    });
  // Read before parsing: inside a command's handler yargs lists that command's subcommands.
  const topCommands = commandNames(parser);
  skipHelpPrerendering(parser);
  try {
    await parser.parseAsync();
  } catch (error) {
    return reportError(error);
  }
  return exitCode;
}

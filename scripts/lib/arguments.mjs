import { parseArgs } from "node:util";

/**
 * Parses string flags (`--flag value` and `--flag=value`) and `-h`/`--help` with node:util's
 * parseArgs. `--help` prints `usage` and exits 0; any other problem is passed to `onError` as one
 * short line (`unknown argument "--x"`, `--root needs a value`) for the script to report (exit 2).
 */
export function parseFlags(argv, { flags, usage, onError }) {
  const options = { help: { type: "boolean", short: "h" } };
  for (const name of flags) options[name] = { type: "string" };
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    onError(describeParseError(error));
    return {};
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values;
}

function describeParseError(error) {
  const quoted = /'(-[^' ]+)/.exec(error.message)?.[1] ?? /'([^']+)'/.exec(error.message)?.[1] ?? "?";
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return `${quoted} needs a value`;
  return `unknown argument "${quoted}"`;
}

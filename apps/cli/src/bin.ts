#!/usr/bin/env node
// Kept tiny so a bare `--version` answers without loading the command parser; every other command
// line goes through yargs (cli.ts), whose handlers load only their own command (docs/performance.md).
import { fileURLToPath } from "node:url";
import { VERSION } from "./version.js";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  process.stdout.write(`${VERSION}\n`);
} else {
  // How stages run this same CLI (the built-in spec guard, nested `start`): set once, inherited.
  process.env.CODEX_ORCHESTRATOR_CLI ||= [process.execPath, fileURLToPath(import.meta.url)]
    .map((part) => `'${part.replaceAll("'", `'\\''`)}'`)
    .join(" ");
  const { survivesClosedOutput } = await import("./run/closed-streams.js");
  survivesClosedOutput();
  const { main } = await import("./cli.js");
  process.exitCode = await main(args);
}

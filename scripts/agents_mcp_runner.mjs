#!/usr/bin/env node
// Agent-facing entry point: delegates start/resume/status to the codex-orchestrator CLI unchanged.
import process from "node:process";
import { exitLike, resolveCli, runCli } from "./lib/cli.mjs";

const USAGE = "usage: agents_mcp_runner.mjs <start|resume|poll|status> [args...]   (poll = status)";
const COMMANDS = { start: "start", resume: "resume", poll: "status", status: "status" };

const [subcommand, ...rest] = process.argv.slice(2);
if (subcommand === "-h" || subcommand === "--help") {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (subcommand === undefined) {
  process.stderr.write(`agents_mcp_runner: missing command\n${USAGE}\n`);
  process.exit(2);
}
const command = Object.hasOwn(COMMANDS, subcommand) ? COMMANDS[subcommand] : undefined;
if (command === undefined) {
  process.stderr.write(`agents_mcp_runner: unknown command "${subcommand}"\n${USAGE}\n`);
  process.exit(2);
}
const cli = resolveCli();
if (cli.error) {
  process.stderr.write(`agents_mcp_runner: ${cli.error}\n`);
  process.exit(2);
}
try {
  exitLike(await runCli(cli, [command, ...rest]));
} catch (error) {
  process.stderr.write(`agents_mcp_runner: ${error.message}\n`);
  process.exit(2);
}

#!/usr/bin/env node
// Kept tiny so `--version` answers without loading the command parser or the engine.
import { VERSION } from "./version.js";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import("./cli.js");
  process.exitCode = await main(args);
}

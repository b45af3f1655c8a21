#!/usr/bin/env node
// Kept tiny so `--version` answers without loading the command parser or the engine, and a plain
// `plan` or `start` runs without the command parser (see fast-path.ts and docs/performance.md).
import { parseFastCommand } from "./fast-path.js";
import { VERSION } from "./version.js";

const args = process.argv.slice(2);
const fast = parseFastCommand(args);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  process.stdout.write(`${VERSION}\n`);
} else if (fast !== null) {
  try {
    if (fast.command === "plan") {
      const { runPlan } = await import("./commands/plan.js");
      process.exitCode = await runPlan(fast.argv);
    } else {
      const { runStart } = await import("./commands/start.js");
      process.exitCode = await runStart(fast.argv);
    }
  } catch (error) {
    const { reportError } = await import("./errors.js");
    process.exitCode = reportError(error);
  }
} else {
  const { main } = await import("./cli.js");
  process.exitCode = await main(args);
}

// How the helper scripts find and run the codex-orchestrator CLI.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];

/** The repository that holds these scripts (the scripts directory's parent). */
export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The command that runs the CLI: `$CODEX_ORCHESTRATOR_BIN` (an executable path) when set,
 * else `node <repo>/apps/cli/dist/bin.js`. Returns `{ command, prefix }` or `{ error }`.
 */
export function resolveCli() {
  const bin = process.env.CODEX_ORCHESTRATOR_BIN;
  if (bin) return { command: bin, prefix: [] };
  const entry = path.join(repositoryRoot, "apps", "cli", "dist", "bin.js");
  if (!existsSync(entry)) {
    return { error: `CLI not built: ${entry} not found (run "pnpm build" or set CODEX_ORCHESTRATOR_BIN)` };
  }
  return { command: process.execPath, prefix: [entry] };
}

/**
 * Runs the CLI with `args`, inheriting the environment (so MCP_RUNNER_TASK_ID passes through).
 * Signals sent to this process are forwarded to the CLI. Resolves to `{ code, signal, stdout }`;
 * stdout is captured only when `captureStdout` is set, otherwise it is inherited.
 */
export function runCli(cli, args, { captureStdout = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cli.command, [...cli.prefix, ...args], {
      stdio: ["inherit", captureStdout ? "pipe" : "inherit", "inherit"],
      env: process.env,
    });
    const chunks = [];
    if (captureStdout) child.stdout.on("data", (chunk) => chunks.push(chunk));
    const forward = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const detach = () => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    };
    child.on("error", (error) => {
      detach();
      reject(new Error(`cannot run ${cli.command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      detach();
      resolve({ code, signal, stdout: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

/** Ends this process the way the CLI ended: same exit code, or the same signal re-raised. */
export function exitLike(result) {
  if (result.signal) {
    process.kill(process.pid, result.signal);
    // If the signal is ignored or handled elsewhere, fall back to the shell convention.
    setTimeout(() => process.exit(128 + signalNumber(result.signal)), 100);
    return;
  }
  process.exit(result.code ?? 1);
}

/** The POSIX number of a signal name (for the 128 + n exit code fallback). */
function signalNumber(signal) {
  return { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 }[signal] ?? 0;
}

import type { Argv } from "yargs";

/** The exit codes, shown under every `--help` (docs/cli.md "Exit codes"). */
export const EXIT_CODES_HELP = [
  "Exit codes:",
  "  0    the run succeeded; the command did what was asked",
  "  1    the run failed (a stage failed, a gate was rejected), or a file could not be written",
  "  2    bad usage or input: unknown flag, invalid id, unknown pipeline or run, refused resume or approval",
  "  3    the run paused at a manual stage, waiting for approval",
  "  129  cancelled by SIGHUP, 130 by SIGINT (Ctrl-C), 143 by SIGTERM",
  "",
  "Docs: docs/cli.md. Shell completion: codex-orchestrator completion >> ~/.bashrc (or ~/.zshrc).",
].join("\n");

// What a newcomer types first, per command; `$0` is the program name.
const EXAMPLES: Record<string, readonly (readonly [string, string])[]> = {
  start: [
    ["$0 start", "run the default pipeline for the task of this folder"],
    ["$0 start release --task 0101", "run pipeline `release` for task 0101"],
    ["$0 start ci --concurrency 2 --continue", "two stages at a time; after a failure, run the rest"],
  ],
  plan: [
    ["$0 plan release", "what `start release` would run, and where each setting came from"],
    ["$0 plan --format json", "the plan of the default pipeline as JSON"],
  ],
  resume: [
    ["$0 resume <run-id>", "continue a failed, cancelled, crashed or paused run in place"],
    ["$0 resume <run-id> --force", "take over a run whose heartbeat is stale"],
  ],
  status: [
    ["$0 status --latest", "the newest run you started (child runs need --all)"],
    ["$0 status --latest --watch", "follow it (and its child runs) to its end; exits with its code"],
    ["$0 status <run-id> --format json", "one run as JSON"],
  ],
  approve: [
    ["$0 approve <run-id>", "approve the gate the run waits on, as $USER"],
    ["$0 approve <run-id> --stage signoff --reject --reason 'not yet'", "reject it (the run fails)"],
  ],
  runs: [
    ["$0 runs --limit 20", "the 20 newest runs you started"],
    ["$0 runs --all --status failed", "failed runs, child runs included (under their parent)"],
    ["$0 runs --since 7d --format json", "this week's runs as JSON"],
  ],
};

/** Adds a command's examples and the exit codes to its `--help`. */
export function withHelp<T>(name: string, argv: Argv<T>): Argv<T> {
  let described = argv;
  for (const [command, description] of EXAMPLES[name] ?? [])
    described = described.example(command, description);
  return described.epilogue(EXIT_CODES_HELP);
}

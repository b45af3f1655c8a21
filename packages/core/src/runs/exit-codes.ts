import type { RunStatus } from "@codex/orchestrator-schema";

/** docs/contract.md §1 exit codes. */
export const EXIT_CODES = {
  succeeded: 0,
  failed: 1,
  usage: 2,
  awaitingApproval: 3,
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;

/** The process exit code for a run's final status. */
export function exitCodeForRun(status: RunStatus, statusDetail: string | null): number {
  switch (status) {
    case "succeeded":
      return EXIT_CODES.succeeded;
    case "awaiting_approval":
      return EXIT_CODES.awaitingApproval;
    case "cancelled":
      if (statusDetail === "signal:SIGHUP") return EXIT_CODES.sighup;
      if (statusDetail === "signal:SIGINT") return EXIT_CODES.sigint;
      if (statusDetail === "signal:SIGTERM") return EXIT_CODES.sigterm;
      return EXIT_CODES.failed;
    default:
      return EXIT_CODES.failed;
  }
}

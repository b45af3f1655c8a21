import type { Manifest } from "@codex/orchestrator-schema";
import { buildSummaryText } from "@codex/orchestrator-telemetry";
import type { CommandTester } from "./command-tester.js";

/** What a reviewer needs at a glance. */
export interface RunReview {
  /** The manifest summary; its last line is the guardrail summary. */
  summary: string;
  guardrailStatus: "succeeded" | "failed" | "pending" | "missing";
  approvals: { approved: number; rejected: number; pending: string[] };
}

/** Aggregates stage outcomes into the manifest summary, guardrail status and approvals. */
export class CommandReviewer {
  readonly #tester: CommandTester;

  constructor(tester: CommandTester) {
    this.#tester = tester;
  }

  /** Reviews a manifest as it stands. */
  review(manifest: Manifest): RunReview {
    const pending =
      manifest.status === "awaiting_approval" && manifest.status_detail?.startsWith("approval:")
        ? [manifest.status_detail.split(":")[1] as string]
        : [];
    return {
      summary: buildSummaryText(manifest),
      guardrailStatus: this.#tester.evaluate(manifest.commands).status,
      approvals: {
        approved: manifest.approvals.filter((approval) => approval.decision === "approved").length,
        rejected: manifest.approvals.filter((approval) => approval.decision === "rejected").length,
        pending,
      },
    };
  }
}

import type { OrchestratorLocations } from "@codex/orchestrator-persistence";
import { attestRun } from "../evidence/run-attestation.js";
import type { RunEvidence } from "../evidence/run-evidence.js";
import type { EventBus } from "../event-bus.js";
import { redactProvenance } from "../record/value-redaction.js";
import type { RunSession } from "../record/run-session.js";
import type { RunOutcome } from "./run-ending.js";

/**
 * Signs the run as it ended (its logs closed, still owned): a new attestation each time a process
 * ends it. A failure to sign is reported like the run's other end-of-run files (exit 1), and
 * never hides how the run went.
 */
export function attestEnding(
  session: RunSession,
  outcome: RunOutcome,
  context: { evidence: RunEvidence; locations: OrchestratorLocations; bus: EventBus },
): RunOutcome {
  const { evidence } = context;
  if (!evidence.signed || evidence.key === null) return outcome;
  const runId = session.manifest.run_id;
  try {
    attestRun({
      locations: context.locations,
      runDir: session.paths.runDir,
      manifest: session.manifest,
      key: evidence.key,
      attestedBy: redactProvenance(evidence.provenance, session.recorder.redactor),
      logDigests: session.recorder.events.logDigests(),
    });
    return outcome;
  } catch (error) {
    const message = `Could not sign the run: ${error instanceof Error ? error.message : String(error)}`;
    context.bus.emit("warning", { runId, message });
    return { ...outcome, writeFailures: [...(outcome.writeFailures ?? []), message] };
  }
}

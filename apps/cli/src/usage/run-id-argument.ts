import { findIdProblem } from "@codex/orchestrator-persistence";
import { UsageError } from "../errors.js";

/** The run id from the positional argument or `--run` (both may be given only if they agree). */
export function runIdFrom(argv: { runId?: string | undefined; run?: string | undefined }): string {
  const positional = argv.runId;
  const flag = argv.run;
  if (positional !== undefined && flag !== undefined && positional !== flag) {
    throw new UsageError(`Two different run ids given: ${positional} and --run ${flag}`);
  }
  const runId = positional ?? flag;
  if (runId === undefined || runId === "")
    throw new UsageError("Missing run id: pass it as an argument or with --run <run-id>");
  const problem = findIdProblem(runId);
  if (problem !== null) {
    throw new UsageError(
      `Invalid run id ${JSON.stringify(runId)} from ${positional === undefined ? "--run" : "the run-id argument"}: ${problem}`,
    );
  }
  return runId;
}

import type { OrchestratorConfig } from "@codex/orchestrator-schema";
import type { RunSession } from "../record/run-session.js";

/** What a run leaves beside its records when it ends: its HTML report and, when asked, its trace. */
export interface RunEndOutputs {
  /** Write `report.html` into the run folder. */
  report: boolean;
  /** Export the run as an OpenTelemetry trace (top-level runs; child runs are inside theirs). */
  otel: boolean;
  /** The config's `otel.endpoint`, used when no OTEL_EXPORTER_OTLP_* variable names one. */
  otelEndpoint: string | undefined;
  env: NodeJS.ProcessEnv;
}

/**
 * Decides the run-end outputs: `--no-report` / `--otel` first, then the config (`report.onRunEnd`,
 * `otel.enabled`), then the environment (an OTEL_EXPORTER_OTLP_ENDPOINT turns traces on).
 */
export function resolveRunEndOutputs(options: {
  report: boolean | undefined;
  otel: boolean | undefined;
  config: OrchestratorConfig | undefined;
  env: NodeJS.ProcessEnv;
}): RunEndOutputs {
  const { config, env } = options;
  const endpointInEnv = Boolean(
    env["OTEL_EXPORTER_OTLP_ENDPOINT"]?.trim() || env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]?.trim(),
  );
  return {
    report: options.report ?? config?.report?.onRunEnd ?? true,
    otel: options.otel ?? config?.otel?.enabled ?? endpointInEnv,
    otelEndpoint: config?.otel?.endpoint,
    env,
  };
}

/**
 * Writes the report and exports the trace of a run that just ended. Neither may change how the run
 * went: a failure is one warning. Each library is loaded only when it is used.
 */
export async function writeRunEndOutputs(
  session: RunSession,
  outputs: RunEndOutputs,
  warn: (message: string) => void,
): Promise<void> {
  if (outputs.report) {
    try {
      const { writeRunReport } = await import("@codex/orchestrator-report");
      writeRunReport({ runDir: session.paths.runDir });
    } catch (error) {
      warn(`Could not write report.html: ${describe(error)}`);
    }
  }
  if (outputs.otel && session.manifest.parent_run_id === null) {
    try {
      // An optional peer dependency: programs that never send traces need not install it.
      const { exportRunTrace, resolveOtlpTarget } = await import("@codex/orchestrator-otel").catch(
        (error: unknown) => {
          if ((error as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND") throw error;
          throw new Error("@codex/orchestrator-otel is not installed (npm i @codex/orchestrator-otel)", {
            cause: error,
          });
        },
      );
      await exportRunTrace({
        runDir: session.paths.runDir,
        target: resolveOtlpTarget(outputs.env, outputs.otelEndpoint),
      });
    } catch (error) {
      warn(`Could not export the run's trace: ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

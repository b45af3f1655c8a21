import type { ExecutorConfig } from "@codex/orchestrator-schema";
import { OrchestratorError } from "@codex/orchestrator-schema/errors";
import { IdentifierPattern } from "@codex/orchestrator-schema";

/** Where a run's command stages run, as chosen by flag, environment and config. */
export type ExecutorSettings =
  | { kind: "local" }
  | {
      kind: "bullmq";
      /** `redis://`, `rediss://` (TLS) with user and password, or `unix:///path/to/redis.sock`. */
      redisUrl: string;
      queue: string;
      /** How long a coordinator keeps retrying a lost Redis before the run fails. */
      unavailableAfterMs: number;
    };

/** The queue stages go to unless `--queue`, the config or `CODEX_ORCHESTRATOR_QUEUE` names another. */
export const DEFAULT_QUEUE = "codex-stages";
const DEFAULT_UNAVAILABLE_AFTER_MS = 60_000;

/** An executor setting that cannot be used: exit 2 before anything runs. */
export class ExecutorSettingsError extends OrchestratorError {
  constructor(message: string, hint?: string) {
    super(message, { code: "ERR_EXECUTOR_SETTINGS", usage: true, ...(hint === undefined ? {} : { hint }) });
  }
}

/**
 * The executor of a run: `--executor` wins over `CODEX_ORCHESTRATOR_EXECUTOR`, which wins over the
 * config's `executor.kind`; the Redis URL comes from `CODEX_ORCHESTRATOR_REDIS_URL` or the config.
 */
export function resolveExecutorSettings(options: {
  flag: string | undefined;
  env: NodeJS.ProcessEnv;
  config: ExecutorConfig | undefined;
  queueFlag?: string | undefined;
}): ExecutorSettings {
  const { flag, env, config } = options;
  const fromEnv = env.CODEX_ORCHESTRATOR_EXECUTOR === "" ? undefined : env.CODEX_ORCHESTRATOR_EXECUTOR;
  const kind = flag ?? fromEnv ?? config?.kind ?? "local";
  const source =
    flag !== undefined
      ? "--executor"
      : fromEnv !== undefined
        ? "CODEX_ORCHESTRATOR_EXECUTOR"
        : "executor.kind";
  if (kind === "local") return { kind: "local" };
  if (kind !== "bullmq")
    throw new ExecutorSettingsError(`Unknown executor "${kind}" (${source}); expected "local" or "bullmq"`);
  const bullmq = config?.kind === "bullmq" ? config : undefined;
  const redisUrl = nonEmpty(env.CODEX_ORCHESTRATOR_REDIS_URL) ?? bullmq?.redisUrl;
  if (redisUrl === undefined)
    throw new ExecutorSettingsError(
      "The bullmq executor needs a Redis URL",
      "set CODEX_ORCHESTRATOR_REDIS_URL (redis://, rediss:// or unix:///path/to/redis.sock)",
    );
  const queue = options.queueFlag ?? nonEmpty(env.CODEX_ORCHESTRATOR_QUEUE) ?? bullmq?.queue ?? DEFAULT_QUEUE;
  if (!IdentifierPattern.test(queue))
    throw new ExecutorSettingsError(
      `Invalid queue name "${queue}": it must start with a letter or digit and use only letters, digits, '.', '_', '-'`,
    );
  const seconds = bullmq?.unavailableAfterSeconds;
  const fromEnvMs = Number(env.CODEX_ORCHESTRATOR_REDIS_UNAVAILABLE_AFTER_MS);
  const unavailableAfterMs =
    Number.isFinite(fromEnvMs) && fromEnvMs > 0
      ? fromEnvMs
      : seconds === undefined
        ? DEFAULT_UNAVAILABLE_AFTER_MS
        : seconds * 1000;
  return { kind: "bullmq", redisUrl, queue, unavailableAfterMs };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

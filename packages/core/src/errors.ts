import { OrchestratorError } from "@codex/orchestrator-schema/errors";

/** `codex.orchestrator.json` (or `tasks/index.json`) is unreadable or invalid. */
export class ConfigError extends OrchestratorError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { code: "ERR_CONFIG_INVALID", usage: true, ...options });
  }
}

/** A pipeline id that no source defines. */
export class UnknownPipelineError extends OrchestratorError {
  /** Every pipeline id that is defined. */
  readonly known: readonly string[];

  constructor(pipelineId: string, known: readonly string[], where: string) {
    super(`Unknown pipeline "${pipelineId}"${where}. Known pipelines: ${known.join(", ") || "(none)"}`, {
      code: "ERR_UNKNOWN_PIPELINE",
      usage: true,
    });
    this.known = known;
  }
}

/** Pipelines that extend or nest each other in a loop, or stages that need each other in one. */
export class PipelineCycleError extends OrchestratorError {
  /** The loop, first element repeated last. */
  readonly cycle: readonly string[];

  constructor(kind: "extends" | "subpipeline" | "needs", cycle: readonly string[], pipelineId?: string) {
    super(
      kind === "needs"
        ? `Stages of pipeline "${pipelineId ?? "?"}" need each other in a cycle: ${cycle.join(" → ")}`
        : `Pipeline ${kind} cycle: ${cycle.join(" → ")}`,
      { code: "ERR_PIPELINE_CYCLE", usage: true },
    );
    this.cycle = cycle;
  }
}

/** No run with that id exists under the runs directory. */
export class RunNotFoundError extends OrchestratorError {
  constructor(runId: string, runsDir: string) {
    super(`Run ${runId} not found under ${runsDir}`, {
      code: "ERR_RUN_NOT_FOUND",
      usage: true,
      hint: "List runs with `codex-orchestrator runs`.",
    });
  }
}

/** `resume` refused: wrong token, live owner, already succeeded. */
export class ResumeRefusedError extends OrchestratorError {
  constructor(message: string, hint?: string) {
    super(message, { code: "ERR_RESUME_REFUSED", usage: true, ...(hint === undefined ? {} : { hint }) });
  }
}

/** `approve` refused: no such gate, not waiting, plan changed, already decided. */
export class ApprovalError extends OrchestratorError {
  constructor(message: string) {
    super(message, { code: "ERR_APPROVAL_REFUSED", usage: true });
  }
}

/** The task registry refuses a task id. */
export class TaskRegistryError extends OrchestratorError {
  constructor(message: string, hint?: string) {
    super(message, { code: "ERR_TASK_UNREGISTERED", usage: true, ...(hint === undefined ? {} : { hint }) });
  }
}

/** No one to record a decision or a resume as: no `actor` given and no user name to be found. */
export class ActorUnknownError extends OrchestratorError {
  constructor() {
    super("Cannot tell who is acting: no actor was given and the user name is unknown", {
      code: "ERR_ACTOR_UNKNOWN",
      usage: true,
      hint: "Pass the `actor` option.",
    });
  }
}

/** The spec guard was asked something it cannot do: an unknown base revision, a bad age limit. */
export class SpecGuardUsageError extends OrchestratorError {
  constructor(message: string) {
    super(message, { code: "ERR_SPEC_GUARD_USAGE", usage: true });
  }
}

/** `init` will not replace an existing config unless told to. */
export class InitRefusedError extends OrchestratorError {
  constructor(configFile: string) {
    super(`${configFile} already exists; nothing was changed`, {
      code: "ERR_INIT_REFUSED",
      usage: true,
      hint: "Pass the `force` option to replace it.",
    });
  }
}

/** The key that signs attestations cannot be read or created (a path, never key material). */
export class SigningKeyError extends OrchestratorError {
  constructor(message: string, cause: unknown) {
    super(message, {
      code: "ERR_SIGNING_KEY",
      usage: true,
      hint: "CODEX_ORCHESTRATOR_SIGNING_KEY must name a PEM file with an Ed25519 private key (docs/evidence.md).",
      ...(cause === null ? {} : { cause }),
    });
  }
}

/**
 * A stage cache entry that cannot be used: missing parts, a digest that does not match, a path
 * that would leave the repository. The stage then runs as on a miss (and says why).
 */
export class CacheEntryError extends OrchestratorError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: "ERR_CACHE_ENTRY_UNUSABLE", ...options });
  }
}

import * as z from "zod";
import { CacheSettings, PipelineCacheDefaults, StageCache } from "./cache-config.js";

/** Stage and pipeline ids: used in file names and CLI flags, so kept to a safe alphabet. */
export const IdentifierPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const Identifier = z.string().regex(IdentifierPattern, {
  error: "must start with a letter or digit and use only letters, digits, '.', '_', '-'",
});

/**
 * Stages that must succeed (or be skipped) before a stage starts. Without it, a stage needs the
 * stage listed before it, so a pipeline that never says `needs` runs in order; `[]` runs at once.
 */
const StageNeeds = z.array(Identifier).optional();

/**
 * The longest wait Node's timers accept is 2^31-1 ms; a longer one fires at once. Stage timeouts and
 * retry backoffs are kept below it, in whole-second terms.
 */
export const MAX_TIMER_SECONDS = 2_147_483;

// The operating system takes commands and environment entries as C strings: a NUL byte cannot
// be passed, and an env name cannot be empty or hold '=' (it separates name from value).
const NoNulText = z.string().regex(/^[^\0]*$/, { error: "must not contain a NUL byte" });
const EnvName = z.string().regex(/^[^=\0]+$/, {
  error: "environment variable names must be non-empty and contain neither '=' nor a NUL byte",
});

/** A shell command run through the system shell; exit 0 succeeds. */
export const CommandStage = z.strictObject({
  kind: z.literal("command"),
  id: Identifier,
  title: z.string().min(1),
  command: NoNulText.min(1),
  cwd: NoNulText.min(1).optional(),
  env: z.record(EnvName, NoNulText).optional(),
  allowFailure: z.boolean().optional(),
  summaryHint: z.string().optional(),
  guardrail: z.boolean().optional(),
  timeoutSeconds: z
    .number()
    .positive()
    .max(MAX_TIMER_SECONDS, { error: `must be at most ${MAX_TIMER_SECONDS} (about 24.8 days)` })
    .optional(),
  retries: z.int().min(0).max(20).optional(),
  retryBackoffSeconds: z
    .number()
    .min(0)
    .max(MAX_TIMER_SECONDS, { error: `must be at most ${MAX_TIMER_SECONDS} (about 24.8 days)` })
    .optional(),
  needs: StageNeeds,
  /** Reuse the stage's outputs and log when its key matches a stored success (docs/cache.md). */
  cache: StageCache.optional(),
});
/** A shell command stage. */
export type CommandStage = z.infer<typeof CommandStage>;

/** A nested run of another pipeline, optionally under another project's task id. */
export const SubpipelineStage = z.strictObject({
  kind: z.literal("subpipeline"),
  id: Identifier,
  title: z.string().min(1),
  pipeline: Identifier,
  task: z.string().min(1).optional(),
  optional: z.boolean().optional(),
  needs: StageNeeds,
});
/** A nested pipeline stage. */
export type SubpipelineStage = z.infer<typeof SubpipelineStage>;

/** A gate: the run pauses until someone approves. */
export const ManualStage = z.strictObject({
  kind: z.literal("manual"),
  id: Identifier,
  title: z.string().min(1),
  instructions: z.string().optional(),
  needs: StageNeeds,
});
/** A manual approval stage. */
export type ManualStage = z.infer<typeof ManualStage>;

/** Any stage, discriminated on `kind`. */
export const Stage = z.discriminatedUnion("kind", [CommandStage, SubpipelineStage, ManualStage], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? `unknown stage kind ${JSON.stringify((issue.input as { kind?: unknown } | undefined)?.kind ?? null)} (expected "command", "subpipeline" or "manual")`
      : undefined,
});
/** Any stage. */
export type Stage = z.infer<typeof Stage>;

function reportDuplicateIds(
  stages: readonly { id: string }[] | undefined,
  key: string,
  context: z.RefinementCtx,
) {
  if (stages === undefined) return;
  const seen = new Set<string>();
  stages.forEach((stage, index) => {
    if (seen.has(stage.id)) {
      context.addIssue({
        code: "custom",
        path: [key, index, "id"],
        message: `duplicate stage id "${stage.id}"`,
      });
    }
    seen.add(stage.id);
  });
}

/**
 * A pipeline. Either it lists its own `stages`, or it `extends` another pipeline and adds stages
 * `before` and/or `after` the inherited ones (so a project keeps the shared guardrail).
 */
export const Pipeline = z
  .strictObject({
    id: Identifier,
    title: z.string().min(1).optional(),
    description: z.string().optional(),
    extends: Identifier.optional(),
    stages: z.array(Stage).optional(),
    before: z.array(Stage).optional(),
    after: z.array(Stage).optional(),
    tags: z.array(z.string()).optional(),
    /** How many stages may run at once (default: the number of CPUs); `--concurrency` overrides it. */
    concurrency: z.int().min(1).max(1024).optional(),
    /** After a failure, let independent branches run to their end (`--continue`). */
    continueOnFailure: z.boolean().optional(),
    /** Defaults for its stages that declare `cache`. */
    cache: PipelineCacheDefaults.optional(),
  })
  .superRefine((pipeline, context) => {
    // The extends/stages/before/after/title rules are mirrored as if/then/else in json-schema.ts.
    if (pipeline.extends === undefined) {
      if (pipeline.stages === undefined) {
        context.addIssue({
          code: "custom",
          path: ["stages"],
          message: "a pipeline needs stages (or extends another)",
        });
      }
      if (pipeline.title === undefined) {
        context.addIssue({
          code: "custom",
          path: ["title"],
          message: "a pipeline without extends needs a title",
        });
      }
      for (const key of ["before", "after"] as const) {
        if (pipeline[key] !== undefined) {
          context.addIssue({
            code: "custom",
            path: [key],
            message: `"${key}" is only allowed with "extends"`,
          });
        }
      }
    } else if (pipeline.stages !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["stages"],
        message: 'use "before"/"after" with "extends", not "stages"',
      });
    }
    reportDuplicateIds(pipeline.stages, "stages", context);
    // before and after share one id space: a stage id may appear once across both.
    const seen = new Set<string>();
    for (const key of ["before", "after"] as const) {
      (pipeline[key] ?? []).forEach((stage, index) => {
        if (seen.has(stage.id)) {
          context.addIssue({
            code: "custom",
            path: [key, index, "id"],
            message: `duplicate stage id "${stage.id}"`,
          });
        }
        seen.add(stage.id);
      });
    }
  });
/** A pipeline definition. */
export type Pipeline = z.infer<typeof Pipeline>;

/** A registered project: its task id and its folder, relative to the repo root. */
export const Project = z.strictObject({
  taskId: z.string().min(1),
  path: z.string().min(1),
  name: z.string().optional(),
});
/** A registered project. */
export type Project = z.infer<typeof Project>;

/** What to scrub from every artifact. */
export const RedactionConfig = z.strictObject({
  /** Glob-like patterns (`*` wildcard, case-insensitive) of environment variable names whose values are secret. */
  envPatterns: z.array(z.string().min(1)).optional(),
  /** Literal values to scrub wherever they appear. */
  values: z.array(z.string().min(1)).optional(),
});
/** What to scrub from every artifact. */
export type RedactionConfig = z.infer<typeof RedactionConfig>;

/** The HTML report of a run (docs/report.md). */
export const ReportConfig = z.strictObject({
  /** Write `report.html` into the run folder when a run ends (default true; `--no-report` for one run). */
  onRunEnd: z.boolean().optional(),
});
/** The HTML report of a run. */
export type ReportConfig = z.infer<typeof ReportConfig>;

/** OpenTelemetry traces of runs (docs/report.md). */
export const OtelConfig = z.strictObject({
  /** Export every run as a trace when it ends (default: on when OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  enabled: z.boolean().optional(),
  /** The OTLP/HTTP base address (`/v1/traces` is added); the OTEL_EXPORTER_OTLP_* variables win over it. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
});
/** OpenTelemetry traces of runs. */
export type OtelConfig = z.infer<typeof OtelConfig>;

/**
 * Where command stages run: `local` (this process, the default) or `bullmq` (a pool of workers
 * through BullMQ on Redis). The Redis URL is better given by `CODEX_ORCHESTRATOR_REDIS_URL`, so no
 * password is committed.
 */
export const ExecutorConfig = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("local") }),
  z.strictObject({
    kind: z.literal("bullmq"),
    redisUrl: z.string().min(1).optional(),
    queue: Identifier.optional(),
    /** How long the coordinator keeps trying to reach a lost Redis before the run fails. */
    unavailableAfterSeconds: z.number().positive().max(86_400).optional(),
  }),
]);
/** Where command stages run. */
export type ExecutorConfig = z.infer<typeof ExecutorConfig>;

/** `codex.orchestrator.json`. */
export const OrchestratorConfig = z
  .strictObject({
    $schema: z.string().optional(),
    defaultPipeline: Identifier.optional(),
    pipelines: z.array(Pipeline).optional(),
    projects: z.array(Project).optional(),
    redact: RedactionConfig.optional(),
    report: ReportConfig.optional(),
    otel: OtelConfig.optional(),
    /** Stage cache defaults and, at the root, the cache's size limit (docs/cache.md). */
    cache: CacheSettings.optional(),
    executor: ExecutorConfig.optional(),
  })
  .superRefine((config, context) => {
    const seen = new Set<string>();
    (config.pipelines ?? []).forEach((pipeline, index) => {
      if (seen.has(pipeline.id)) {
        context.addIssue({
          code: "custom",
          path: ["pipelines", index, "id"],
          message: `duplicate pipeline id "${pipeline.id}"`,
        });
      }
      seen.add(pipeline.id);
    });
    const tasks = new Map<string, number>();
    (config.projects ?? []).forEach((project, index) => {
      const previous = tasks.get(project.taskId);
      if (previous !== undefined) {
        context.addIssue({
          code: "custom",
          path: ["projects", index, "taskId"],
          message: `task id "${project.taskId}" is already claimed by projects[${previous}]`,
        });
      } else {
        tasks.set(project.taskId, index);
      }
    });
  });
/** `codex.orchestrator.json`. */
export type OrchestratorConfig = z.infer<typeof OrchestratorConfig>;

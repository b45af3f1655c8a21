import * as z from "zod";

// Globs are matched against paths relative to the stage's cwd; a NUL byte cannot be in a path.
const Glob = z
  .string()
  .min(1)
  .regex(/^[^\0]*$/, { error: "must not contain a NUL byte" });
const EnvName = z.string().regex(/^[^=\0]+$/, {
  error: "environment variable names must be non-empty and contain neither '=' nor a NUL byte",
});

/**
 * What a cached stage's key is made of and what it leaves behind (docs/cache.md). Every field may
 * be left out: it then comes from the pipeline's `cache`, else the config file's `cache`.
 */
export const StageCacheFields = {
  /** Files whose content is part of the key (globs relative to the stage's cwd; `!glob` excludes). */
  inputs: z.array(Glob).optional(),
  /** Files and folders stored after a success and restored on a hit (globs relative to the cwd). */
  outputs: z.array(Glob).optional(),
  /** Environment variables whose values are part of the key; others are not. */
  env: z.array(EnvName).optional(),
};

/** A command stage's `cache`: `true` takes the defaults, an object sets fields, `false` never caches. */
export const StageCache = z.union([
  z.boolean(),
  z.strictObject({
    ...StageCacheFields,
    /** A guardrail stage is reused only when this is true. */
    reuseGuardrail: z.boolean().optional(),
  }),
]);
/** A command stage's `cache`. */
export type StageCache = z.infer<typeof StageCache>;

/** A pipeline's `cache`: defaults for the stages of the pipeline that declare `cache`. */
export const PipelineCacheDefaults = z.strictObject(StageCacheFields);
/** A pipeline's cache defaults. */
export type PipelineCacheDefaults = z.infer<typeof PipelineCacheDefaults>;

/** A size: bytes, or a number with a unit (`500MB`, `2GiB`). */
export const SizeText = z.union([
  z.int().min(0),
  z.string().regex(/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/i, {
    error: "must be a number of bytes or a size such as 500MB or 2GiB",
  }),
]);

/**
 * The config file's `cache`: defaults for the stages that declare `cache` and, in the root config,
 * how large the local cache may grow before the least recently used entries go.
 */
export const CacheSettings = z.strictObject({
  ...StageCacheFields,
  maxSize: SizeText.optional(),
});
/** The config file's `cache`. */
export type CacheSettings = z.infer<typeof CacheSettings>;

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Bytes of a {@link SizeText}; null when the text is not a size. */
export function parseSize(value: number | string): number | null {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i.exec(value);
  if (match === null) return null;
  const unit = UNITS[(match[2] ?? "b").toLowerCase()];
  return unit === undefined ? null : Math.floor(Number(match[1]) * unit);
}

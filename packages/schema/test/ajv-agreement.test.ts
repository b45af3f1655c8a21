// Reviewer tooling that is not written in TypeScript validates artifacts with the checked-in JSON
// Schema files and a stock validator. These tests load ONLY the schema file into ajv (+ ajv-formats)
// and assert that ajv's verdict equals the zod validators' for every fixture.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { validateConfig, validateManifest } from "../src/index.js";

// ajv-formats is CommonJS; under NodeNext its default import is `module.exports`, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const fixturesDir = join(packageDir, "test", "fixtures");

function compileSchemaFile(fileName: string): { validate: ValidateFunction; warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  const ajv = new Ajv({
    allErrors: true,
    logger: {
      log: () => undefined,
      warn: (...args) => warnings.push(args),
      error: (...args) => warnings.push(args),
    },
  });
  addFormats(ajv);
  const schema = JSON.parse(readFileSync(join(packageDir, "schemas", fileName), "utf8")) as object;
  return { validate: ajv.compile(schema), warnings };
}

function readFixtures(kind: "manifests" | "configs", verdict: "valid" | "invalid"): [string, unknown][] {
  const dir = join(fixturesDir, kind, verdict);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(join(dir, name), "utf8")) as unknown]);
}

// Where ajv puts each error, as a JSON pointer; a missing property points at the property itself.
function ajvLocations(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) =>
    error.keyword === "required"
      ? `${error.instancePath}/${String((error.params as { missingProperty: string }).missingProperty)}`
      : error.instancePath,
  );
}

// Why each invalid manifest is invalid: zod's path and ajv's pointer. A fixture that fails for
// some other (accidental) reason would not show these.
const INVALID_MANIFESTS: Record<string, { path: string; pointer: string }> = {
  "approval-missing-plan-hash.json": { path: "approvals[0].plan_hash", pointer: "/approvals/0/plan_hash" },
  "child-run-bad-status.json": { path: "child_runs[0].status", pointer: "/child_runs/0/status" },
  "index-as-string.json": { path: "commands[0].index", pointer: "/commands/0/index" },
  "missing-run-id.json": { path: "run_id", pointer: "/run_id" },
  "nested-command-status.json": { path: "commands[1].status", pointer: "/commands/1/status" },
  "runner-codex.json": { path: "runner", pointer: "/runner" },
  "status-done.json": { path: "status", pointer: "/status" },
  "task-id-null.json": { path: "task_id", pointer: "/task_id" },
  "timestamp-with-space.json": { path: "started_at", pointer: "/started_at" },
  "timestamp-without-offset.json": { path: "updated_at", pointer: "/updated_at" },
  "version-2.json": { path: "version", pointer: "/version" },
};

describe("manifest.schema.json agrees with validateManifest", () => {
  const { validate, warnings } = compileSchemaFile("manifest.schema.json");

  it("compiles in ajv without strict-mode warnings", () => {
    expect(warnings).toEqual([]);
  });

  const valid = readFixtures("manifests", "valid");
  it("has a corpus of valid manifests", () => {
    expect(valid.length).toBeGreaterThanOrEqual(4);
  });
  it.each(valid)("accepts valid/%s", (_name, manifest) => {
    expect(validateManifest(manifest)).toEqual({ valid: true, errors: [] });
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
  });

  const invalid = readFixtures("manifests", "invalid");
  it("declares why every invalid manifest is invalid", () => {
    expect(invalid.map(([name]) => name)).toEqual(Object.keys(INVALID_MANIFESTS).sort());
  });
  it.each(invalid)("rejects invalid/%s at the same place", (name, manifest) => {
    const expected = INVALID_MANIFESTS[name];
    const result = validateManifest(manifest);
    expect(result.valid).toBe(false);
    expect(result.errors.map((error) => error.path)).toContain(expected?.path);
    expect(validate(manifest)).toBe(false);
    expect(ajvLocations(validate.errors)).toContain(expected?.pointer);
  });

  // ajv-formats' date-time alone is looser than zod's regex (space or lowercase separator, leap
  // second, offset without colon); the schema carries zod's regex as `pattern` so the two agree.
  const base = valid[0]?.[1] as Record<string, unknown>;
  it.each([
    ["2025-10-31T22:56:34Z", true],
    ["2025-10-31T22:56:34.123456789+05:30", true],
    ["2024-02-29T00:00:00Z", true],
    ["2025-10-31 22:56:34Z", false],
    ["2025-10-31t22:56:34z", false],
    ["2016-12-31T23:59:60Z", false],
    ["2025-10-31T22:56:34+0100", false],
    ["2025-10-31T22:56:34+01", false],
    ["2025-02-29T00:00:00Z", false],
    ["2025-10-31T22:56Z", false],
  ] as const)("agrees on timestamp %s (valid: %s)", (timestamp, expected) => {
    const manifest = { ...base, started_at: timestamp };
    expect(validateManifest(manifest).valid).toBe(expected);
    expect(validate(manifest)).toBe(expected);
  });
});

// The config JSON Schema is structural only: uniqueness rules live in zod superRefine checks and
// have no JSON Schema equivalent. These fixtures are excluded from the agreement assertion on
// purpose; the test below pins the known gap (ajv accepts, validateConfig rejects) so that it is
// noticed if it ever closes or widens.
const ZOD_ONLY_CONFIGS = new Set([
  "duplicate-pipeline-ids.json",
  "duplicate-project-task-ids.json",
  "duplicate-stage-ids.json",
]);

describe("config.schema.json agrees with validateConfig", () => {
  const { validate, warnings } = compileSchemaFile("config.schema.json");
  const valid = readFixtures("configs", "valid");
  const invalid = readFixtures("configs", "invalid");
  const structural = invalid.filter(([name]) => !ZOD_ONLY_CONFIGS.has(name));
  const zodOnly = invalid.filter(([name]) => ZOD_ONLY_CONFIGS.has(name));

  it("compiles in ajv without strict-mode warnings", () => {
    expect(warnings).toEqual([]);
  });

  it.each(valid)("accepts valid/%s", (_name, config) => {
    expect(validateConfig(config)).toEqual({ valid: true, errors: [] });
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(structural)("rejects invalid/%s in both", (_name, config) => {
    expect(validateConfig(config).valid).toBe(false);
    expect(validate(config)).toBe(false);
  });

  it("lists only existing fixtures as zod-only", () => {
    expect(zodOnly.map(([name]) => name)).toEqual([...ZOD_ONLY_CONFIGS].sort());
  });

  it.each(zodOnly)(
    "invalid/%s is rejected by validateConfig only (uniqueness is not JSON Schema)",
    (_name, config) => {
      expect(
        validateConfig(config)
          .errors.map((error) => error.message)
          .join("\n"),
      ).toMatch(/duplicate|already claimed/);
      expect(validate(config)).toBe(true);
    },
  );
});

import { describe, expect, it } from "vitest";
import { parseConfig, safeParseConfig, validateConfig } from "./artifacts.js";
import { SchemaValidationError } from "./errors.js";

const build = { kind: "command", id: "build", title: "Build", command: "npm run build" };

describe("parseConfig", () => {
  it("returns the typed config", () => {
    const config = parseConfig({
      $schema: "./packages/schema/schemas/config.schema.json",
      defaultPipeline: "ci",
      pipelines: [{ id: "ci", title: "CI", stages: [build, { kind: "manual", id: "gate", title: "Gate" }] }],
    });
    expect(config.pipelines?.[0]?.stages?.[1]?.kind).toBe("manual");
  });

  it("throws SchemaValidationError naming the file and the place", () => {
    const config = { pipelines: [{ id: "ci", title: "CI", stages: [{ ...build, kind: "script" }] }] };
    expect(() => parseConfig(config, { source: "codex.orchestrator.json" })).toThrow(SchemaValidationError);
    const result = safeParseConfig(config, { source: "codex.orchestrator.json" });
    expect(!result.ok && result.error.code).toBe("ERR_SCHEMA_INVALID");
    expect(!result.ok && result.error.message).toBe(
      'Invalid config (codex.orchestrator.json): pipelines[0].stages[0].kind: unknown stage kind "script" (expected "command", "subpipeline" or "manual")',
    );
  });
});

describe("validateConfig", () => {
  it("names an unknown stage kind", () => {
    const result = validateConfig({
      pipelines: [{ id: "ci", title: "CI", stages: [{ ...build, kind: "script" }] }],
    });
    expect(result.errors).toEqual([
      {
        path: "pipelines[0].stages[0].kind",
        message: expect.stringContaining('unknown stage kind "script"'),
      },
    ]);
  });

  it("rejects unknown keys (typos) at the top level and in stages", () => {
    expect(validateConfig({ pipeline: [] }).errors).toEqual([
      { path: "", message: expect.stringContaining('"pipeline"') },
    ]);
    const result = validateConfig({
      pipelines: [{ id: "ci", title: "CI", stages: [{ ...build, allow_failure: true }] }],
    });
    expect(result.errors).toEqual([
      { path: "pipelines[0].stages[0]", message: expect.stringContaining('"allow_failure"') },
    ]);
  });

  it("rejects duplicate stage ids at the duplicate", () => {
    const result = validateConfig({ pipelines: [{ id: "ci", title: "CI", stages: [build, build] }] });
    expect(result.errors).toEqual([
      { path: "pipelines[0].stages[1].id", message: 'duplicate stage id "build"' },
    ]);
  });

  it("rejects a stage id repeated across before and after at the duplicate", () => {
    const result = validateConfig({
      pipelines: [{ id: "ci", extends: "diagnostics", before: [build], after: [build] }],
    });
    expect(result.errors).toEqual([
      { path: "pipelines[0].after[0].id", message: 'duplicate stage id "build"' },
    ]);
  });

  it("rejects stages together with extends", () => {
    const result = validateConfig({ pipelines: [{ id: "ci", extends: "diagnostics", stages: [build] }] });
    expect(result.errors.map((error) => error.path)).toEqual(["pipelines[0].stages"]);
  });

  it("requires stages and a title without extends", () => {
    const result = validateConfig({ pipelines: [{ id: "ci" }] });
    expect(result.errors.map((error) => error.path)).toEqual(["pipelines[0].stages", "pipelines[0].title"]);
  });

  it("rejects ids that are unsafe in paths", () => {
    const result = validateConfig({ pipelines: [{ id: "../x", title: "X", stages: [build] }] });
    expect(result.errors.map((error) => error.path)).toEqual(["pipelines[0].id"]);
  });
});

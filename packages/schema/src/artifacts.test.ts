import { describe, expect, it } from "vitest";
import { ARTIFACT_SCHEMAS, validatorsFor } from "./artifacts.js";
import { SchemaValidationError } from "./errors.js";

const metricsLine = {
  run_id: "2025-10-31T22-56-34-431Z-9574035c",
  task_id: "0101",
  pipeline_id: "diagnostics",
  status: "succeeded",
  started_at: "2025-10-31T22:56:34.431Z",
  completed_at: "2025-10-31T22:57:40.012Z",
  duration_seconds: 65.581,
  commands_passed: 4,
  commands_failed: 0,
  guardrails_present: true,
  recorded_at: "2025-10-31T22:57:40.100Z",
  artifact_path: ".runs/0101/cli/2025-10-31T22-56-34-431Z-9574035c",
  child_runs: 0,
  approvals: 0,
};

describe("validatorsFor", () => {
  it("validates a metrics line", () => {
    expect(validatorsFor("metrics-line").validate(metricsLine)).toEqual({ valid: true, errors: [] });
    expect(validatorsFor("metrics-line").parse(metricsLine).commands_passed).toBe(4);
  });

  it("names the artifact and the place in errors", () => {
    const bad = { ...metricsLine, commands_failed: -1 };
    expect(
      validatorsFor("metrics-line")
        .validate(bad)
        .errors.map((error) => error.path),
    ).toEqual(["commands_failed"]);
    expect(() => validatorsFor("metrics-line").parse(bad)).toThrow(SchemaValidationError);
    expect(() => validatorsFor("metrics-line").parse(bad)).toThrow(
      /^Invalid metrics line: commands_failed: /,
    );
  });

  it("exists for every artifact", () => {
    for (const name of Object.keys(ARTIFACT_SCHEMAS) as (keyof typeof ARTIFACT_SCHEMAS)[]) {
      expect(validatorsFor(name).validate(undefined).valid).toBe(false);
    }
  });
});

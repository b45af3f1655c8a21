import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseManifest, safeParseManifest, validateManifest } from "./artifacts.js";
import { OrchestratorError, SchemaValidationError } from "./errors.js";
import type { Manifest } from "./manifest.js";

function readFixture(name: string): Record<string, unknown> & { commands: Record<string, unknown>[] } {
  const url = new URL(`../test/fixtures/manifests/valid/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as Record<string, unknown> & {
    commands: Record<string, unknown>[];
  };
}

function manifestWith(change: (manifest: ReturnType<typeof readFixture>) => void) {
  const manifest = readFixture("succeeded-diagnostics.json");
  change(manifest);
  return manifest;
}

describe("parseManifest", () => {
  it("returns the typed manifest", () => {
    const manifest: Manifest = parseManifest(readFixture("awaiting-approval.json"));
    expect(manifest.status).toBe("awaiting_approval");
    expect(manifest.approvals[0]?.decision).toBe("approved");
    expect(manifest.child_runs).toHaveLength(1);
  });

  it("keeps unknown extra fields, top level and nested", () => {
    const manifest = parseManifest(readFixture("unknown-extra-fields.json"));
    expect(manifest["reviewer_notes"]).toEqual({ checked_by: "legacy-tool", tags: ["nightly"] });
    expect(manifest.commands[0]?.["peak_rss_mb"]).toBe(512);
  });

  it("throws SchemaValidationError with code, issues and the source", () => {
    const bad = manifestWith((manifest) => {
      manifest.commands[0]!.index = "1";
    });
    let thrown: unknown;
    try {
      parseManifest(bad, { source: ".runs/0101/cli/x/manifest.json" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SchemaValidationError);
    expect(thrown).toBeInstanceOf(OrchestratorError);
    const error = thrown as SchemaValidationError;
    expect(error.code).toBe("ERR_SCHEMA_INVALID");
    expect(error.usage).toBe(true);
    expect(error.issues).toEqual([{ path: "commands[0].index", message: expect.stringContaining("number") }]);
    expect(error.message).toMatch(
      /^Invalid manifest \(\.runs\/0101\/cli\/x\/manifest\.json\): commands\[0\]\.index: /,
    );
  });
});

describe("safeParseManifest", () => {
  it("returns ok with the value", () => {
    const result = safeParseManifest(readFixture("failed-with-error-file.json"));
    expect(result.ok && result.value.commands[1]?.error_file).toMatch(/errors\/02-lint\.json$/);
  });

  it.each([null, "manifest", 42, []])("returns ok: false for %j instead of throwing", (value) => {
    const result = safeParseManifest(value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toBeInstanceOf(SchemaValidationError);
  });
});

describe("validateManifest", () => {
  it("accepts a valid manifest", () => {
    expect(validateManifest(readFixture("succeeded-diagnostics.json"))).toEqual({ valid: true, errors: [] });
  });

  it("names nested paths with array indexes", () => {
    const result = validateManifest(
      manifestWith((manifest) => {
        manifest.commands[1]!.status = "ok";
      }),
    );
    expect(result.valid).toBe(false);
    expect(result.errors.map((error) => error.path)).toEqual(["commands[1].status"]);
  });

  it("says a missing field is required, whatever its type", () => {
    const result = validateManifest(
      manifestWith((manifest) => {
        delete manifest.run_id;
        delete manifest.status;
        delete manifest.version;
      }),
    );
    expect(result.errors).toEqual([
      { path: "version", message: "required field is missing (expected 1)" },
      { path: "run_id", message: "required field is missing (expected string)" },
      {
        path: "status",
        message: expect.stringMatching(/^required field is missing \(expected "queued" \| /),
      },
    ]);
  });

  it("reports every problem, not just the first", () => {
    const result = validateManifest(
      manifestWith((manifest) => {
        manifest.status = "done";
        manifest.runner = "codex";
        manifest.commands[0]!.index = "1";
      }),
    );
    expect(result.errors.map((error) => error.path)).toEqual(["runner", "status", "commands[0].index"]);
  });

  it("rejects a timestamp without an offset", () => {
    const result = validateManifest(
      manifestWith((manifest) => {
        manifest.started_at = "2025-10-31T22:56:34.431";
      }),
    );
    expect(result.errors.map((error) => error.path)).toEqual(["started_at"]);
  });

  it("accepts a timestamp with an offset", () => {
    const result = validateManifest(
      manifestWith((manifest) => {
        manifest.started_at = "2025-10-31T23:56:34+01:00";
      }),
    );
    expect(result.valid).toBe(true);
  });
});

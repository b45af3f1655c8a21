import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../../../../test/helpers/temp-dir.js";
import { configJson } from "../../test/support.js";
import { CONFIG_FILE_NAME, loadConfigFile } from "./config-loader.js";
import { ConfigError } from "../errors.js";

function loadError(text: string): ConfigError {
  const dir = tempDir();
  writeFiles(dir, { [CONFIG_FILE_NAME]: text });
  try {
    loadConfigFile(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected loadConfigFile to throw");
}

describe("loadConfigFile", () => {
  it("returns null when the folder has no config", () => {
    expect(loadConfigFile(tempDir())).toBeNull();
  });

  it("returns the validated config and its absolute path", () => {
    const dir = tempDir();
    writeFiles(dir, {
      [CONFIG_FILE_NAME]: configJson({
        defaultPipeline: "smoke",
        pipelines: [
          {
            id: "smoke",
            title: "Smoke",
            stages: [{ kind: "command", id: "a", title: "A", command: "true" }],
          },
        ],
      }),
    });
    const loaded = loadConfigFile(dir);
    expect(loaded?.file).toBe(`${dir}/${CONFIG_FILE_NAME}`);
    expect(loaded?.config.defaultPipeline).toBe("smoke");
    expect(loaded?.config.pipelines?.[0]?.stages?.[0]).toMatchObject({ id: "a", command: "true" });
  });

  it("reports bad JSON with the file, line and column", () => {
    const error = loadError('{\n  "pipelines": [\n    { "id": "x",, }\n  ]\n}\n');
    expect(error.code).toBe("ERR_CONFIG_INVALID");
    expect(error.usage).toBe(true);
    expect(error.message).toMatch(/^codex\.orchestrator\.json:3:17: invalid JSON/);
  });

  it("reports truncated JSON at its end", () => {
    const error = loadError('{\n  "pipelines": [\n');
    expect(error.message).toMatch(/^codex\.orchestrator\.json:3:1: invalid JSON/);
  });

  it("names the JSON path of a value with the wrong type", () => {
    const error = loadError(
      configJson({
        pipelines: [
          {
            id: "p",
            title: "P",
            stages: [
              { kind: "command", id: "a", title: "A", command: "true" },
              { kind: "command", id: "b", title: "B", command: 42 },
            ],
          },
        ],
      }),
    );
    expect(error.message).toMatch(/^codex\.orchestrator\.json: pipelines\[0\]\.stages\[1\]\.command: /);
    expect(error.message).toContain("expected string");
    expect(error.hint).toContain("docs/configuration.md");
  });

  it("refuses an unknown stage kind and lists the known ones", () => {
    const error = loadError(
      configJson({ pipelines: [{ id: "p", title: "P", stages: [{ kind: "shell", id: "a", title: "A" }] }] }),
    );
    expect(error.message).toContain("pipelines[0].stages[0]");
    expect(error.message).toContain('unknown stage kind "shell"');
    expect(error.message).toContain('"command", "subpipeline" or "manual"');
  });

  it("refuses duplicate stage ids within a pipeline", () => {
    const stage = { kind: "command", id: "same", title: "S", command: "true" };
    const error = loadError(configJson({ pipelines: [{ id: "p", title: "P", stages: [stage, stage] }] }));
    expect(error.message).toContain('pipelines[0].stages[1].id: duplicate stage id "same"');
  });

  it("refuses duplicate stage ids across before and after", () => {
    const stage = { kind: "command", id: "same", title: "S", command: "true" };
    const error = loadError(
      configJson({ pipelines: [{ id: "p", extends: "diagnostics", before: [stage], after: [stage] }] }),
    );
    expect(error.message).toContain('pipelines[0].after[0].id: duplicate stage id "same"');
  });

  it("refuses stages together with extends", () => {
    const error = loadError(
      configJson({
        pipelines: [
          {
            id: "p",
            extends: "diagnostics",
            stages: [{ kind: "command", id: "a", title: "A", command: "true" }],
          },
        ],
      }),
    );
    expect(error.message).toContain('pipelines[0].stages: use "before"/"after" with "extends", not "stages"');
  });

  it("refuses duplicate task ids among projects", () => {
    const error = loadError(
      configJson({
        projects: [
          { taskId: "0201", path: "packages/a" },
          { taskId: "0201", path: "packages/b" },
        ],
      }),
    );
    expect(error.message).toContain('projects[1].taskId: task id "0201" is already claimed by projects[0]');
  });

  it("counts further problems after the first", () => {
    const error = loadError(configJson({ pipelines: [{ id: "p" }], bogus: true }));
    expect(error.message).toMatch(/\(\+\d+ more\)$/);
  });

  it("names a project's config relative to the display root", () => {
    const dir = tempDir();
    writeFiles(dir, { [`packages/web/${CONFIG_FILE_NAME}`]: "{ nope" });
    expect(() => loadConfigFile(`${dir}/packages/web`, dir)).toThrow(
      /^packages\/web\/codex\.orchestrator\.json:1:3: invalid JSON/,
    );
  });
});

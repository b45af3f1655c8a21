import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ARTIFACT_SCHEMAS } from "./artifacts.js";
import { buildJsonSchema, JSON_SCHEMA_BASE_URL, renderJsonSchemas } from "./json-schema.js";

const schemasDir = fileURLToPath(new URL("../schemas/", import.meta.url));
const REGENERATE =
  "The checked-in JSON Schema files are out of date: run `pnpm schema:generate` and commit the result.";

describe("checked-in JSON Schema files", () => {
  const rendered = renderJsonSchemas();

  it("exist for exactly the artifacts in ARTIFACT_SCHEMAS", () => {
    const onDisk = readdirSync(schemasDir).filter((name) => name.endsWith(".schema.json"));
    expect(onDisk.sort(), REGENERATE).toEqual(Object.keys(rendered).sort());
  });

  it.each(Object.keys(rendered))("%s matches its zod schema byte for byte", (fileName) => {
    const onDisk = readFileSync(`${schemasDir}${fileName}`, "utf8");
    expect(onDisk === rendered[fileName], `${fileName}: ${REGENERATE}`).toBe(true);
  });
});

describe("buildJsonSchema", () => {
  it.each(Object.keys(ARTIFACT_SCHEMAS) as (keyof typeof ARTIFACT_SCHEMAS)[])(
    "gives %s an $id, title and description",
    (name) => {
      const schema = buildJsonSchema(name);
      expect(schema.$id).toBe(`${JSON_SCHEMA_BASE_URL}${name}.schema.json`);
      expect(schema.title).toEqual(expect.any(String));
      expect(schema.description).toEqual(expect.any(String));
      expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    },
  );

  it("lets artifacts carry unknown fields but not the config", () => {
    expect(buildJsonSchema("manifest").additionalProperties).toEqual({});
    expect(buildJsonSchema("metrics-line").additionalProperties).toEqual({});
    expect(buildJsonSchema("config").additionalProperties).toBe(false);
  });

  it("renders 2-space JSON with a trailing newline", () => {
    const text = renderJsonSchemas()["manifest.schema.json"];
    expect(text).toBe(`${JSON.stringify(JSON.parse(text ?? "null"), null, 2)}\n`);
  });
});

// Writes schemas/<artifact>.schema.json from the built package (run `tsup` first: `pnpm run generate`).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderJsonSchemas } from "../dist/index.js";

const schemasDir = fileURLToPath(new URL("../schemas/", import.meta.url));
const files = renderJsonSchemas();

mkdirSync(schemasDir, { recursive: true });
// A renamed or removed artifact must not leave its old file behind.
for (const name of readdirSync(schemasDir)) {
  if (name.endsWith(".schema.json") && !Object.hasOwn(files, name)) rmSync(join(schemasDir, name));
}
for (const [name, text] of Object.entries(files)) writeFileSync(join(schemasDir, name), text);
console.log(`Wrote ${Object.keys(files).length} JSON Schema files to ${schemasDir}`);

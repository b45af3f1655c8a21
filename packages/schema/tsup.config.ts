import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// `errors` is its own entry (and subpath export) so that code which only needs the error classes
// does not load zod through the index (docs/performance.md).
// Split, so both entries share one copy of the error classes (instanceof holds across them).
export default defineConfig(packageBuild({ entry: ["src/index.ts", "src/errors.ts"], splitting: true }));

import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// `plan` is its own entry (and subpath export) so that planning does not load the run engine
// through the index (docs/performance.md). Split, so both entries share one copy of every module
// (instanceof holds across them).
export default defineConfig(
  packageBuild({ entry: ["src/index.ts", "src/plan-pipeline.ts"], splitting: true }),
);

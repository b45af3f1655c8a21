import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// `errors` is its own entry (and subpath export) so that code which only needs the error classes
// does not load zod through the index (docs/performance.md). `evidence` (hash chains, attestations,
// verify) is its own entry so that loading the schemas never loads node:crypto or node:fs.
// Split, so the entries share one copy of the error classes (instanceof holds across them).
export default defineConfig(
  packageBuild({
    entry: { index: "src/index.ts", errors: "src/errors.ts", "evidence/index": "src/evidence/index.ts" },
    splitting: true,
  }),
);

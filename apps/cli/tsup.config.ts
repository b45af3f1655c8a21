import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// The CLI is bundled with its workspace packages and split per command, so `--version` loads one
// tiny chunk and each command loads only what it uses (see docs/performance.md).
export default defineConfig(
  packageBuild({
    entry: ["src/index.ts", "src/bin.ts"],
    dts: { entry: "src/index.ts" },
    splitting: true,
    noExternal: [/.*/],
    // Bundled CommonJS dependencies (cross-spawn, fs-extra) call require() for Node built-ins.
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    esbuildOptions(options) {
      options.conditions = ["@codex/source"];
    },
  }),
);

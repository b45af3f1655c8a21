import { defineConfig, type Options } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// The CLI is bundled with its workspace packages and split per command, so `--version` loads one
// tiny chunk and each command loads only what it uses (see docs/performance.md).
const shared = {
  noExternal: [/.*/],
  esbuildOptions(options) {
    options.conditions = ["@codex/source"];
  },
} satisfies Options;

// `plan` is built as a bundle of its own. esbuild's code splitting assigns whole files to chunks
// through the packages' index re-exports, so in the shared chunks `plan` would load the run engine
// and zod (~30 ms); a single-entry bundle is tree-shaken per file and keeps zod only behind the
// lazy import used when a config has to be validated (docs/performance.md).
const planCommand: Options = packageBuild({
  ...shared,
  entry: { "plan-command": "src/commands/plan.ts" },
  dts: false,
  clean: false,
  splitting: false,
  treeshake: false,
});

// Both bundles build in one tsup run (an array config); the package's build script empties dist/
// first, since neither may clean it while the other writes.
export default defineConfig([
  packageBuild({
    ...shared,
    entry: ["src/index.ts", "src/bin.ts"],
    dts: { entry: "src/index.ts" },
    clean: false,
    splitting: true,
    esbuildPlugins: [
      {
        name: "plan-command",
        setup(pluginBuild) {
          pluginBuild.onResolve({ filter: /^\.\/commands\/plan\.js$/ }, () => ({
            path: "./plan-command.js",
            external: true,
          }));
        },
      },
    ],
  }),
  planCommand,
]);

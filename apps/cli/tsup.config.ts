import fs from "node:fs";
import { defineConfig, type Options } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// The engine's compiled helpers travel with the bundle (dist/native/), where the bundled engine
// looks for them; when they could not be built, the CLI does without (Node's spawn, JS escaping).
const NATIVE_ADDON = "../../packages/core/native/build/codex-native.node";

async function copyNativeAddon(): Promise<void> {
  if (!fs.existsSync(NATIVE_ADDON)) return;
  fs.mkdirSync("dist/native", { recursive: true });
  fs.copyFileSync(NATIVE_ADDON, "dist/native/codex-native.node");
}

// The CLI is bundled with its workspace packages and split per command, so `--version` loads one
// tiny chunk and each command loads only what it uses (see docs/performance.md).
const shared = {
  noExternal: [/.*/],
  // Bundled CommonJS dependencies (cross-spawn) call require() for Node built-ins.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
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
    onSuccess: copyNativeAddon,
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

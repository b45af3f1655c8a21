import fs from "node:fs";
import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// The engine's compiled helpers travel with the bundle (dist/native/), where the bundled engine
// looks for them; when they could not be built, the CLI does without (Node's spawn, JS escaping).
const NATIVE_ADDON = "../../packages/core/native/build/codex-native.node";

async function copyNativeAddon(): Promise<void> {
  if (!fs.existsSync(NATIVE_ADDON)) return;
  fs.mkdirSync("dist/native", { recursive: true });
  fs.copyFileSync(NATIVE_ADDON, "dist/native/codex-native.node");
}

// One bundle of the CLI and its workspace packages, split per command: every command module is
// loaded by a dynamic import, so `--version` loads one tiny chunk and each command only what it
// uses (see docs/performance.md).
export default defineConfig(
  packageBuild({
    entry: ["src/index.ts", "src/bin.ts"],
    dts: { entry: "src/index.ts" },
    splitting: true,
    noExternal: [/.*/],
    // Bundled CommonJS dependencies (cross-spawn) call require() for Node built-ins.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
    esbuildOptions(options) {
      options.conditions = ["@codex/source"];
    },
    onSuccess: copyNativeAddon,
  }),
);

import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// One bundle of the CLI, its workspace packages and their dependencies, split per command: every
// command module is loaded by a dynamic import, so `--version` loads one tiny chunk and each command
// only what it uses (see docs/performance.md). BullMQ and ioredis are bundled too, in the chunk the
// bullmq executor and `worker` load: as packages they are hundreds of CommonJS files, whose loading
// cost a distributed run ~0.2 s at start (decision 0013).
export default defineConfig(
  packageBuild({
    // The log writer thread starts from a file of its own next to the chunks (persistence, logs/).
    entry: {
      index: "src/index.ts",
      bin: "src/bin.ts",
      "log-writer-thread": "../../packages/persistence/src/logs/log-writer-thread.ts",
    },
    dts: { entry: "src/index.ts" },
    splitting: true,
    noExternal: [/.*/],
    // Bundled CommonJS code (OpenTelemetry's exporter, BullMQ, ioredis) requires Node built-ins such
    // as zlib; an ESM bundle has no `require` unless it is made from the chunk's own URL.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
    esbuildOptions(options) {
      options.conditions = ["@codex/source"];
    },
  }),
);

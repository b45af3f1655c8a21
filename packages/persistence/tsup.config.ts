import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// The log writer thread is a file of its own: a worker thread starts from a file (logs/run-logs.ts).
export default defineConfig(
  packageBuild({
    entry: { index: "src/index.ts", "log-writer-thread": "src/logs/log-writer-thread.ts" },
    dts: { entry: { index: "src/index.ts" } },
  }),
);

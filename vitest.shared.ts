import { defineConfig } from "vitest/config";

/** Settings every project's vitest config merges: resolve workspace packages to their sources. */
export const sharedVitestConfig = defineConfig({
  ssr: {
    resolve: {
      conditions: ["@codex/source", "node", "development|production"],
    },
  },
  resolve: {
    conditions: ["@codex/source", "node", "development|production"],
  },
  test: {
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

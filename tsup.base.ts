import type { Options } from "tsup";

/** Shared tsup settings: ESM + declarations for Node 20.19, one entry per package. */
export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    clean: true,
    sourcemap: true,
    splitting: false,
    treeshake: true,
    // Errors still print; the per-file size listing of every build does not.
    silent: true,
    ...overrides,
  };
}

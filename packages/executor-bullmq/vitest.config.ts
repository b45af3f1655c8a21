import { defineProject, mergeConfig } from "vitest/config";
import { sharedVitestConfig } from "../../vitest.shared.ts";

export default mergeConfig(sharedVitestConfig, defineProject({ test: { name: "executor-bullmq" } }));

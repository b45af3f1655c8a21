import type { CommandEntry, Manifest } from "@codex/orchestrator-schema";
import { sampleManifest } from "../../../test/helpers/sample-manifest.js";

/** The run id every fixture uses. */
export const RUN_ID = "2025-10-31T22-56-34-431Z-9574035c";

/** A valid `commands[]` entry; `id` also makes the title. */
export function command(index: number, id: string, overrides: Partial<CommandEntry> = {}): CommandEntry {
  return {
    index,
    id,
    title: id,
    kind: "command",
    command: `npm run ${id}`,
    status: "succeeded",
    started_at: "2025-10-31T22:56:35.000Z",
    completed_at: "2025-10-31T22:56:40.000Z",
    exit_code: 0,
    summary: null,
    log_path: null,
    error_file: null,
    sub_run_id: null,
    ...overrides,
  };
}

/** The spec-guard stage of the diagnostics pipeline. */
export function specGuard(index: number, overrides: Partial<CommandEntry> = {}): CommandEntry {
  return command(index, "spec-guard", { command: "bash scripts/spec-guard.sh --dry-run", ...overrides });
}

/** A valid finished manifest (schema `Manifest`). */
export function manifest(overrides: Partial<Manifest> = {}): Manifest {
  return sampleManifest(RUN_ID, {
    status: "succeeded",
    updated_at: "2025-10-31T22:57:40.012Z",
    completed_at: "2025-10-31T22:57:40.012Z",
    heartbeat_at: "2025-10-31T22:57:40.012Z",
    compat_path: `.runs/0101/mcp/${RUN_ID}/manifest.json`,
    commands: [command(1, "build"), command(2, "lint"), command(3, "test"), specGuard(4)],
    ...overrides,
  });
}

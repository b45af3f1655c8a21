// Scratch repositories under the OS temp dir: each has its own codex.orchestrator.json and .runs/.
import fs from "node:fs";
import path from "node:path";

export function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A scratch repository `<workDir>/<name>` whose codex.orchestrator.json holds `pipelines` (the first
 * is the default) and `extra` top-level keys (`redact`, …). Returns its root.
 */
export function createTempRepo(context, name, pipelines, extra = {}) {
  const root = path.join(context.workDir, name);
  fs.mkdirSync(root, { recursive: true });
  writeJson(path.join(root, "codex.orchestrator.json"), {
    defaultPipeline: pipelines[0]?.id ?? "diagnostics",
    pipelines,
    ...extra,
  });
  return root;
}

/** `count` command stages `s1`…`sN` running `command`; `needs` (an array) is set on each when given. */
export function commandStages(count, command, { needs } = {}) {
  return Array.from({ length: count }, (_, index) => ({
    kind: "command",
    id: `s${index + 1}`,
    title: `Stage ${index + 1}`,
    command,
    ...(needs === undefined ? {} : { needs }),
  }));
}

/** Removes a repository's run history, so that every timed run starts from the same state. */
export function clearRuns(root) {
  fs.rmSync(path.join(root, ".runs"), { recursive: true, force: true });
  fs.rmSync(path.join(root, "out"), { recursive: true, force: true });
}

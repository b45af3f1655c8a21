// A repository with thousands of finished runs, for `status` and `runs`: manifests written directly,
// cloned from one real run so that they match the schema the CLI reads.
import fs from "node:fs";
import path from "node:path";
import { TASK_ID, timeStart } from "./orchestrator.mjs";
import { clearRuns, commandStages, createTempRepo } from "./temp-repo.mjs";

/**
 * `count` runs spread over 20 tasks (one task when count is 1); every `failedEvery`-th failed (0: none).
 * `compact` writes manifests without indentation (a third of the disk for 100,000 runs).
 */
export function createRunHistory(context, name, count, { failedEvery, compact = false }) {
  const root = createTempRepo(context, name, [{ id: "one", title: "One", stages: commandStages(1, "true") }]);
  clearRuns(root);
  timeStart(root, "one");
  const taskDir = path.join(root, ".runs", TASK_ID, "cli");
  const [templateId] = fs.readdirSync(taskDir);
  const template = JSON.parse(fs.readFileSync(path.join(taskDir, templateId, "manifest.json"), "utf8"));
  clearRuns(root);
  const base = Date.parse("2025-01-01T00:00:00.000Z");
  const runIds = [];
  const tasks = count === 1 ? 1 : 20;
  for (let index = 0; index < count; index += 1) {
    const started = new Date(base + index * 60_000);
    const runId = `${started.toISOString().replace(/[:.]/g, "-")}-${index.toString(16).padStart(8, "0")}`;
    const taskId = `task-${String(index % tasks).padStart(2, "0")}`;
    const artifactRoot = `.runs/${taskId}/cli/${runId}`;
    const failed = failedEvery > 0 && index % failedEvery === 0;
    const swap = (text) =>
      typeof text === "string"
        ? text.split(template.run_id).join(runId).split(template.artifact_root).join(artifactRoot)
        : text;
    const finishedAt = new Date(started.getTime() + 1500).toISOString();
    const manifest = {
      ...template,
      task_id: taskId,
      run_id: runId,
      status: failed ? "failed" : "succeeded",
      status_detail: failed ? "stage:s1:failed" : null,
      started_at: started.toISOString(),
      updated_at: finishedAt,
      completed_at: finishedAt,
      heartbeat_at: finishedAt,
      artifact_root: artifactRoot,
      compat_path: `.runs/${taskId}/mcp/${runId}/manifest.json`,
      log_path: `${artifactRoot}/runner.ndjson`,
      run_summary_path: swap(template.run_summary_path),
      commands: template.commands.map((entry) => ({
        ...entry,
        log_path: swap(entry.log_path),
        status: failed ? "failed" : entry.status,
        exit_code: failed ? 1 : entry.exit_code,
      })),
    };
    const dir = path.join(root, ".runs", taskId, "cli", runId);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "manifest.json"),
      `${compact ? JSON.stringify(manifest) : JSON.stringify(manifest, null, 2)}\n`,
    );
    runIds.push(runId);
  }
  return { root, runIds };
}

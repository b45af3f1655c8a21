import type { Attributes } from "@opentelemetry/api";
import type { CommandEntry, Manifest } from "@codex/orchestrator-schema";

/** The attributes of a run's span: `codex.*` plus the standard ones that apply. */
export function runAttributes(manifest: Manifest): Attributes {
  return compact({
    "codex.run.id": manifest.run_id,
    "codex.task.id": manifest.task_id,
    "codex.pipeline.id": manifest.pipeline_id,
    "codex.pipeline.title": manifest.pipeline_title,
    "codex.run.status": manifest.status,
    "codex.run.status_detail": manifest.status_detail,
    "codex.run.parent_id": manifest.parent_run_id,
    "codex.run.approval_policy": manifest.approval_policy,
    "codex.run.stages": manifest.commands.length,
    "codex.run.approvals": manifest.approvals.length,
    "codex.run.resumes": manifest.resume_events.length,
    "codex.plan.hash": manifest.plan_hash,
    "error.type": manifest.status === "failed" || manifest.status === "cancelled" ? manifest.status : null,
  });
}

/** The attributes of a stage's span. */
export function stageAttributes(manifest: Manifest, entry: CommandEntry): Attributes {
  const attempts = entry.attempts ?? [];
  return compact({
    "codex.run.id": manifest.run_id,
    "codex.task.id": manifest.task_id,
    "codex.pipeline.id": manifest.pipeline_id,
    "codex.stage.id": entry.id,
    "codex.stage.index": entry.index,
    "codex.stage.kind": entry.kind,
    "codex.stage.status": entry.status,
    "codex.stage.status_detail": entry.status_detail ?? null,
    "codex.stage.exit_code": entry.exit_code,
    "codex.stage.attempt": attempts.length > 0 ? attempts.length : null,
    "codex.stage.child_run_id": entry.sub_run_id,
    "process.exit.code": entry.exit_code,
    "process.command_line": entry.command,
    "error.type":
      entry.status === "failed"
        ? (entry.exit_reason ?? (entry.exit_code === null ? "failed" : `exit ${entry.exit_code}`))
        : null,
  });
}

function compact(values: Record<string, string | number | boolean | null | undefined>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(values))
    if (value !== null && value !== undefined) out[key] = value;
  return out;
}

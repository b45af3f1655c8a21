/** Who resumed, when a resume names nobody (the original CLI's default). */
export const DEFAULT_RESUME_ACTOR = "cli";
/** Why, when a resume gives no reason (the original CLI's default). */
export const DEFAULT_RESUME_REASON = "manual-resume";

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

/**
 * Fills in what manifests written by the original CLI (and by our earlier versions) leave out, so
 * they pass today's schema: `resume_events[].detail` (null), an actor and reason on every resume
 * event (`cli`, `manual-resume`), `child_runs[].task_id` (the parent's task), `commands[].sub_run_id`
 * (null) and a string `summary` ("" for null). Returns a new object; the input and the file it came
 * from are left alone. Anything that is not a manifest-like object is returned as is, for the schema
 * to reject with its usual message.
 */
export function normalizeLegacyManifest(value: unknown): unknown {
  if (!isObject(value)) return value;
  const manifest: JsonObject = { ...value };
  if (manifest.summary === null || manifest.summary === undefined) manifest.summary = "";
  if (Array.isArray(manifest.resume_events)) {
    manifest.resume_events = manifest.resume_events.map((event: unknown) =>
      isObject(event)
        ? {
            ...event,
            actor: nonEmptyString(event.actor) ? event.actor : DEFAULT_RESUME_ACTOR,
            reason: nonEmptyString(event.reason) ? event.reason : DEFAULT_RESUME_REASON,
            detail: event.detail ?? null,
          }
        : event,
    );
  }
  if (Array.isArray(manifest.child_runs)) {
    manifest.child_runs = manifest.child_runs.map((child: unknown) =>
      isObject(child) && child.task_id === undefined ? { ...child, task_id: manifest.task_id } : child,
    );
  }
  if (Array.isArray(manifest.commands)) {
    manifest.commands = manifest.commands.map((entry: unknown) =>
      isObject(entry) && entry.sub_run_id === undefined ? { ...entry, sub_run_id: null } : entry,
    );
  }
  return manifest;
}

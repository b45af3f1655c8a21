import fs from "node:fs";
import path from "node:path";
import { validateManifest } from "@codex/orchestrator-schema";
import {
  readFileMirror,
  readSectionMirror,
  type ChecklistItem,
  type ChecklistMirror,
} from "./checklist-mirrors.js";

const INDEX_PATH = "tasks/index.json";

/** A problem the mirror check found, at a file and (when known) a line. */
export interface MirrorProblem {
  file: string;
  line: number | null;
  taskId: string | null;
  message: string;
}

/** What the mirror check found (docs/scripts.md, check-mirrors.mjs). */
export interface MirrorCheckResult {
  tasks: string[];
  problems: MirrorProblem[];
  /** Cited runs whose manifest is not present locally (runs are not committed). */
  unverified: number;
  verified: number;
}

/**
 * Checks that every task of `tasks/index.json` has four checklist mirrors that agree and that each
 * checked item cites a succeeded run: the checks of `scripts/check-mirrors.mjs`, with the manifest
 * validated by the schema package rather than a JSON Schema file.
 */
export function checkMirrors(options: { root: string; runsDir?: string | undefined }): MirrorCheckResult {
  const { root } = options;
  const result: MirrorCheckResult = { tasks: [], problems: [], unverified: 0, verified: 0 };
  const report = (file: string, line: number | null, taskId: string | null, message: string) =>
    result.problems.push({ file, line, taskId, message });
  const indexFile = path.join(root, INDEX_PATH);
  if (!fs.existsSync(indexFile)) {
    report(INDEX_PATH, null, null, "task index not found");
    return result;
  }
  const indexText = fs.readFileSync(indexFile, "utf8");
  let index: Record<string, unknown> | null;
  try {
    index = JSON.parse(indexText) as Record<string, unknown> | null;
  } catch (error) {
    report(INDEX_PATH, 1, null, `not valid JSON (${(error as Error).message})`);
    return result;
  }
  // The original CLI's index lists tasks under "items"; ours used "tasks". Either (or both) is read.
  const listKeys = ["items", "tasks"].filter((key) => index?.[key] !== undefined);
  if (!index || listKeys.length === 0 || listKeys.some((key) => !Array.isArray(index?.[key]))) {
    report(INDEX_PATH, 1, null, 'expected an object with an "items" (or "tasks") array');
    return result;
  }
  const indexLines = indexText.split(/\r?\n/);
  const lineOfId = (id: string) => {
    const found = indexLines.findIndex((line) => line.includes(`"id"`) && line.includes(`"${id}"`));
    return found === -1 ? 1 : found + 1;
  };
  const seen = new Set<string>();
  for (const key of listKeys) {
    (index[key] as unknown[]).forEach((entry, position) => {
      const task = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
      const id = task.id;
      if (!isValidId(id)) {
        report(INDEX_PATH, 1, null, `${key}[${position}]: invalid or missing id ${JSON.stringify(id)}`);
        return;
      }
      const indexLine = lineOfId(id);
      if (seen.has(id)) {
        report(INDEX_PATH, indexLine, id, `task ${id} is listed twice`);
        return;
      }
      seen.add(id);
      result.tasks.push(id);
      const slug = task.slug;
      if (!isValidId(slug) || !/^[a-z0-9][a-z0-9-]*$/.test(slug)) {
        report(INDEX_PATH, indexLine, id, `task ${id}: slug must be lowercase letters, digits and "-"`);
        return;
      }
      if (typeof task.title !== "string" || task.title.trim() === "")
        report(INDEX_PATH, indexLine, id, `task ${id}: missing title`);
      if (
        task.spec !== undefined &&
        (typeof task.spec !== "string" || !fs.existsSync(path.join(root, task.spec)))
      )
        report(INDEX_PATH, indexLine, id, `task ${id}: spec file not found: ${String(task.spec)}`);
      checkTaskMirrors({ root, runsDir: options.runsDir, taskId: id, slug, report, result });
    });
  }
  return result;
}

type Report = (file: string, line: number | null, taskId: string | null, message: string) => void;

function checkTaskMirrors(options: {
  root: string;
  runsDir: string | undefined;
  taskId: string;
  slug: string;
  report: Report;
  result: MirrorCheckResult;
}): void {
  const { root, taskId: id, report } = options;
  const name = `${id}-${options.slug}.md`;
  const mirrors = [
    readFileMirror(root, `tasks/${name}`),
    readSectionMirror(root, "docs/TASKS.md", id),
    readSectionMirror(root, "docs/ACTION_PLAN.md", id),
    readFileMirror(root, `.agent/task/${name}`),
  ];
  for (const mirror of mirrors) {
    if (mirror.missing) report(mirror.file, null, id, `mirror file for task ${id} not found`);
    else if (mirror.noSection) report(mirror.file, null, id, `no heading naming task ${id}`);
  }
  const present = mirrors.filter((mirror) => !mirror.missing && !mirror.noSection);
  const reference = present[0];
  if (reference) for (const mirror of present.slice(1)) compareMirrors(reference, mirror, id, report);
  for (const mirror of present) for (const item of mirror.items) checkEvidence({ ...options, mirror, item });
}

// Items missing, extra or differently checked in `mirror` compared to `reference`.
function compareMirrors(reference: ChecklistMirror, mirror: ChecklistMirror, taskId: string, report: Report) {
  const remaining = [...mirror.items];
  for (const expected of reference.items) {
    const matchIndex = remaining.findIndex((item) => item.text === expected.text);
    if (matchIndex === -1) {
      report(
        mirror.file,
        mirror.line,
        taskId,
        `task ${taskId}: item missing: "${expected.text}" (see ${reference.file}:${expected.line})`,
      );
      continue;
    }
    const [actual] = remaining.splice(matchIndex, 1) as [ChecklistItem];
    if (actual.checked !== expected.checked) {
      const state = (checked: boolean) => (checked ? "checked" : "unchecked");
      report(
        mirror.file,
        actual.line,
        taskId,
        `task ${taskId}: item "${actual.text}" is ${state(actual.checked)} but ${state(expected.checked)} in ${reference.file}:${expected.line}`,
      );
    }
  }
  for (const extra of remaining)
    report(mirror.file, extra.line, taskId, `task ${taskId}: item not in ${reference.file}: "${extra.text}"`);
}

function checkEvidence(options: {
  root: string;
  runsDir: string | undefined;
  taskId: string;
  mirror: ChecklistMirror;
  item: ChecklistItem;
  report: Report;
  result: MirrorCheckResult;
}): void {
  const { item, mirror, taskId, report } = options;
  if (!item.checked) return;
  const at = (message: string) => report(mirror.file, item.line, taskId, message);
  if (item.citations.length === 0) {
    at(
      `task ${taskId}: checked item "${item.text}" cites no evidence (.runs/<task-id>/cli/<run-id>/manifest.json)`,
    );
    return;
  }
  for (const citation of item.citations) {
    if (!isValidId(citation.taskId) || !isValidId(citation.runId)) {
      at(`invalid evidence path ${citation.text}`);
      continue;
    }
    const relative = path.join(citation.taskId, "cli", citation.runId, "manifest.json");
    const candidates = [path.join(options.root, ".runs", relative)];
    if (options.runsDir !== undefined) candidates.push(path.join(options.runsDir, relative));
    const manifestFile = candidates.find((candidate) => fs.existsSync(candidate));
    if (manifestFile === undefined) {
      options.result.unverified += 1;
      continue;
    }
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Record<string, unknown>;
    } catch (error) {
      at(`${citation.text}: manifest is not valid JSON (${(error as Error).message})`);
      continue;
    }
    const validation = validateManifest(manifest);
    if (!validation.valid) {
      const reasons = validation.errors
        .slice(0, 3)
        .map((issue) => `${issue.path || "/"} ${issue.message}`)
        .join("; ");
      at(`${citation.text}: manifest is invalid (${reasons})`);
      continue;
    }
    if (manifest.run_id !== citation.runId) {
      at(`${citation.text}: manifest run_id is "${String(manifest.run_id)}"`);
      continue;
    }
    if (manifest.status !== "succeeded") {
      at(`${citation.text}: run status is "${String(manifest.status)}", not "succeeded"`);
      continue;
    }
    if (citation.approval !== null) {
      const approvals = Array.isArray(manifest.approvals) ? (manifest.approvals as unknown[]) : [];
      const approval = approvals[citation.approval] as { decision?: unknown } | undefined;
      if (!approval) {
        at(`${citation.text}: no such approval in the manifest`);
        continue;
      }
      if (approval.decision !== "approved") {
        at(`${citation.text}: approval decision is "${String(approval.decision)}"`);
        continue;
      }
    }
    options.result.verified += 1;
  }
}

// check-mirrors.mjs's rule: safe to build a path from (docs/contract.md §2).
function isValidId(id: unknown): id is string {
  return (
    typeof id === "string" &&
    id.length > 0 &&
    !id.startsWith(".") &&
    !id.includes("..") &&
    // eslint-disable-next-line no-control-regex
    !/[/\\<>:"|?*\u0000-\u001f\u007f]/.test(id)
  );
}

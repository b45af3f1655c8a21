#!/usr/bin/env node
// Checks that every task's four checklist mirrors agree and that checked items cite run evidence.
// Formats (tasks/index.json, checklist items, evidence citations) are documented in docs/scripts.md.
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";
import { parseFlags } from "./lib/arguments.mjs";

const USAGE = "usage: check-mirrors.mjs [--root <dir>] [--format text|json]";
const INDEX_PATH = "tasks/index.json";
const SCHEMA_PATH = "packages/schema/schemas/manifest.schema.json";
const CHECKBOX = /^(\s*)[-*+]\s+\[([ xX])\]\s+(.*)$/;
const HEADING = /^(#{1,6})\s+(.*)$/;
const CITATION = /\.runs\/([^/\s`'")\]]+)\/cli\/([^/\s`'")\]]+)\/manifest\.json(?:#approvals\[(\d+)\])?/g;
// Anything from an "Evidence:" marker (optionally after a dash) to the end of the line is evidence.
const EVIDENCE_MARKER = /\s*(?:[—–-]{1,2}\s*)?\(?\s*evidence\s*:.*$/i;
// A bare citation (optionally in backticks/brackets) at the end of the item is evidence too.
const TRAILING_CITATION =
  /(?:\s*[—–-]{0,2}\s*[([]?`?\.runs\/\S+?\/manifest\.json(?:#approvals\[\d+\])?`?[)\]]?[,;]?)+\s*$/;

/** Prints a one-line usage error and exits 2. */
function failUsage(message) {
  process.stderr.write(`check-mirrors: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** Parses argv into { root, format }. */
function parseArguments(argv) {
  const values = parseFlags(argv, { flags: ["root", "format"], usage: USAGE, onError: failUsage });
  const options = {
    root: values.root ?? (process.env.CODEX_ORCHESTRATOR_ROOT || process.cwd()),
    format: values.format ?? "text",
  };
  if (options.format !== "text" && options.format !== "json") {
    failUsage(`--format must be text or json, got "${options.format}"`);
  }
  options.root = path.resolve(options.root);
  if (!existsSync(options.root) || !statSync(options.root).isDirectory()) {
    failUsage(`root is not a directory: ${options.root}`);
  }
  return options;
}

/** True when an id is safe to build a path from (docs/contract.md §2). */
function isValidId(id) {
  return (
    typeof id === "string" &&
    id.length > 0 &&
    !id.startsWith(".") &&
    !id.includes("..") &&
    // eslint-disable-next-line no-control-regex
    !/[/\\<>:"|?*\u0000-\u001f\u007f]/.test(id)
  );
}

/** The item text used to compare mirrors: evidence stripped, whitespace collapsed. */
function comparableText(text) {
  return text.replace(EVIDENCE_MARKER, "").replace(TRAILING_CITATION, "").replace(/\s+/g, " ").trim();
}

/** For each line, whether it sits inside a fenced code block (examples there are not items). */
function fencedLines(lines) {
  let fence = null;
  return lines.map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === null && marker) {
      fence = marker[1];
      return true;
    }
    if (fence !== null && marker && marker[1][0] === fence[0] && marker[1].length >= fence.length) {
      fence = null;
      return true;
    }
    return fence !== null;
  });
}

/** Checklist items of the given lines, with their 1-based line numbers. */
function extractItems(lines, firstLine) {
  const items = [];
  const fenced = fencedLines(lines);
  lines.forEach((line, offset) => {
    const match = fenced[offset] ? null : CHECKBOX.exec(line);
    if (!match) return;
    const raw = match[3];
    items.push({
      line: firstLine + offset,
      checked: match[2] !== " ",
      text: comparableText(raw),
      citations: [...raw.matchAll(CITATION)].map((citation) => ({
        text: citation[0],
        task_id: citation[1],
        run_id: citation[2],
        approval: citation[3] === undefined ? null : Number(citation[3]),
      })),
    });
  });
  return items;
}

/** Reads a whole-file mirror: every checklist item of the file belongs to the task. */
function readFileMirror(root, relative) {
  const absolute = path.join(root, relative);
  if (!existsSync(absolute)) return { file: relative, missing: true, line: 1, items: [] };
  return {
    file: relative,
    missing: false,
    line: 1,
    items: extractItems(readFileSync(absolute, "utf8").split(/\r?\n/), 1),
  };
}

/** Reads a sectioned mirror: the task's section starts at a heading naming its id. */
function readSectionMirror(root, relative, taskId) {
  const absolute = path.join(root, relative);
  if (!existsSync(absolute)) return { file: relative, missing: true, line: 1, items: [] };
  const lines = readFileSync(absolute, "utf8").split(/\r?\n/);
  const fenced = fencedLines(lines);
  const headingAt = (i) => (fenced[i] ? null : HEADING.exec(lines[i]));
  const idPattern = new RegExp(
    `(^|[^0-9A-Za-z])${taskId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^0-9A-Za-z]|$)`,
  );
  const start = lines.findIndex((_line, i) => {
    const heading = headingAt(i);
    return heading !== null && idPattern.test(heading[2]);
  });
  if (start === -1) return { file: relative, missing: false, noSection: true, line: 1, items: [] };
  const level = HEADING.exec(lines[start])[1].length;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i += 1) {
    const heading = headingAt(i);
    if (heading && heading[1].length <= level) {
      end = i;
      break;
    }
  }
  return {
    file: relative,
    missing: false,
    line: start + 1,
    items: extractItems(lines.slice(start + 1, end), start + 2),
  };
}

/** Loads a JSON Schema validator for manifests, or null when the schema file is absent. */
function loadManifestValidator(root) {
  const schemaFile = path.join(root, SCHEMA_PATH);
  if (!existsSync(schemaFile)) return null;
  const schema = JSON.parse(readFileSync(schemaFile, "utf8"));
  const require = createRequire(import.meta.url);
  const draft2020 = typeof schema.$schema === "string" && schema.$schema.includes("2020-12");
  const AjvModule = require(draft2020 ? "ajv/dist/2020" : "ajv");
  const Ajv = AjvModule.default ?? AjvModule;
  const formatsModule = require("ajv-formats");
  const addFormats = formatsModule.default ?? formatsModule;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (manifest) =>
    validate(manifest)
      ? null
      : (validate.errors ?? [])
          .slice(0, 3)
          .map((error) => `${error.instancePath || "/"} ${error.message}`)
          .join("; ");
}

/** Checks one repo; returns { tasks, problems, unverified, verified }. */
function checkRepository(root) {
  const problems = [];
  const unverified = [];
  const verified = [];
  const report = (file, line, taskId, message) => problems.push({ file, line, task_id: taskId, message });
  const indexFile = path.join(root, INDEX_PATH);
  if (!existsSync(indexFile)) {
    report(INDEX_PATH, null, null, "task index not found");
    return { tasks: [], problems, unverified, verified };
  }
  const indexText = readFileSync(indexFile, "utf8");
  let index;
  try {
    index = JSON.parse(indexText);
  } catch (error) {
    report(INDEX_PATH, 1, null, `not valid JSON (${error.message})`);
    return { tasks: [], problems, unverified, verified };
  }
  // The original CLI's index lists tasks under "items"; ours used "tasks". Either (or both) is read.
  const listKeys = ["items", "tasks"].filter((key) => index?.[key] !== undefined);
  if (!index || listKeys.length === 0 || listKeys.some((key) => !Array.isArray(index[key]))) {
    report(INDEX_PATH, 1, null, 'expected an object with an "items" (or "tasks") array');
    return { tasks: [], problems, unverified, verified };
  }
  const indexEntries = listKeys.flatMap((key) =>
    index[key].map((task, position) => ({ key, task, position })),
  );
  const indexLines = indexText.split(/\r?\n/);
  const lineOfId = (id) => {
    const found = indexLines.findIndex((line) => line.includes(`"id"`) && line.includes(`"${id}"`));
    return found === -1 ? 1 : found + 1;
  };

  let validateManifest;
  try {
    validateManifest = loadManifestValidator(root);
  } catch (error) {
    report(SCHEMA_PATH, 1, null, `cannot load manifest schema (${error.message})`);
    validateManifest = null;
  }
  const runsDir = process.env.CODEX_ORCHESTRATOR_RUNS_DIR
    ? path.resolve(root, process.env.CODEX_ORCHESTRATOR_RUNS_DIR)
    : null;

  const seen = new Set();
  const taskIds = [];
  for (const { key, task, position } of indexEntries) {
    const id = task?.id;
    if (!isValidId(id)) {
      report(INDEX_PATH, 1, null, `${key}[${position}]: invalid or missing id ${JSON.stringify(id)}`);
      continue;
    }
    const indexLine = lineOfId(id);
    if (seen.has(id)) {
      report(INDEX_PATH, indexLine, id, `task ${id} is listed twice`);
      continue;
    }
    seen.add(id);
    taskIds.push(id);
    if (!isValidId(task.slug) || !/^[a-z0-9][a-z0-9-]*$/.test(task.slug)) {
      report(INDEX_PATH, indexLine, id, `task ${id}: slug must be lowercase letters, digits and "-"`);
      continue;
    }
    if (typeof task.title !== "string" || task.title.trim() === "") {
      report(INDEX_PATH, indexLine, id, `task ${id}: missing title`);
    }
    if (
      task.spec !== undefined &&
      (typeof task.spec !== "string" || !existsSync(path.join(root, task.spec)))
    ) {
      report(INDEX_PATH, indexLine, id, `task ${id}: spec file not found: ${task.spec}`);
    }

    const name = `${id}-${task.slug}.md`;
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
    if (reference) {
      for (const mirror of present.slice(1)) compareMirrors(reference, mirror, id, report);
    }
    for (const mirror of present) {
      for (const item of mirror.items) {
        checkEvidence({
          root,
          runsDir,
          mirror,
          item,
          taskId: id,
          report,
          validateManifest,
          unverified,
          verified,
        });
      }
    }
  }
  return { tasks: taskIds, problems, unverified, verified };
}

/** Reports items missing, extra or differently checked in `mirror` compared to `reference`. */
function compareMirrors(reference, mirror, taskId, report) {
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
    const [actual] = remaining.splice(matchIndex, 1);
    if (actual.checked !== expected.checked) {
      const state = (checked) => (checked ? "checked" : "unchecked");
      report(
        mirror.file,
        actual.line,
        taskId,
        `task ${taskId}: item "${actual.text}" is ${state(actual.checked)} but ${state(expected.checked)} in ${reference.file}:${expected.line}`,
      );
    }
  }
  for (const extra of remaining) {
    report(mirror.file, extra.line, taskId, `task ${taskId}: item not in ${reference.file}: "${extra.text}"`);
  }
}

/** Checks the citations of one checklist item. */
function checkEvidence({
  root,
  runsDir,
  mirror,
  item,
  taskId,
  report,
  validateManifest,
  unverified,
  verified,
}) {
  if (!item.checked) return;
  if (item.citations.length === 0) {
    report(
      mirror.file,
      item.line,
      taskId,
      `task ${taskId}: checked item "${item.text}" cites no evidence (.runs/<task-id>/cli/<run-id>/manifest.json)`,
    );
    return;
  }
  for (const citation of item.citations) {
    const where = { file: mirror.file, line: item.line, task_id: taskId, citation: citation.text };
    if (!isValidId(citation.task_id) || !isValidId(citation.run_id)) {
      report(mirror.file, item.line, taskId, `invalid evidence path ${citation.text}`);
      continue;
    }
    const relative = path.join(citation.task_id, "cli", citation.run_id, "manifest.json");
    const candidates = [path.join(root, ".runs", relative)];
    if (runsDir) candidates.push(path.join(runsDir, relative));
    const manifestFile = candidates.find((candidate) => existsSync(candidate));
    if (!manifestFile) {
      unverified.push({ ...where, reason: "manifest not present locally" });
      continue;
    }
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
    } catch (error) {
      report(
        mirror.file,
        item.line,
        taskId,
        `${citation.text}: manifest is not valid JSON (${error.message})`,
      );
      continue;
    }
    const invalid = validateManifest
      ? validateManifest(manifest)
      : manifest === null || typeof manifest !== "object" || Array.isArray(manifest)
        ? "not a JSON object"
        : ["run_id", "status"]
            .filter((key) => typeof manifest[key] !== "string")
            .map((key) => `missing "${key}"`)
            .join("; ") || null;
    if (invalid) {
      report(mirror.file, item.line, taskId, `${citation.text}: manifest is invalid (${invalid})`);
      continue;
    }
    if (manifest.run_id !== citation.run_id) {
      report(mirror.file, item.line, taskId, `${citation.text}: manifest run_id is "${manifest.run_id}"`);
      continue;
    }
    if (manifest.status !== "succeeded") {
      report(
        mirror.file,
        item.line,
        taskId,
        `${citation.text}: run status is "${manifest.status}", not "succeeded"`,
      );
      continue;
    }
    if (citation.approval !== null) {
      const approval = Array.isArray(manifest.approvals) ? manifest.approvals[citation.approval] : undefined;
      if (!approval) {
        report(mirror.file, item.line, taskId, `${citation.text}: no such approval in the manifest`);
        continue;
      }
      if (approval.decision !== "approved") {
        report(
          mirror.file,
          item.line,
          taskId,
          `${citation.text}: approval decision is "${approval.decision}"`,
        );
        continue;
      }
    }
    verified.push(where);
  }
}

const options = parseArguments(process.argv.slice(2));
const result = checkRepository(options.root);
if (options.format === "json") {
  const document = { ok: result.problems.length === 0, root: options.root, ...result };
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
} else {
  if (result.problems.length === 0) {
    process.stdout.write(
      `check-mirrors: OK (${result.tasks.length} task(s), ${result.verified.length} verified citation(s))\n`,
    );
  }
  for (const problem of result.problems) {
    const location = problem.line === null ? problem.file : `${problem.file}:${problem.line}`;
    process.stdout.write(`${location}: ${problem.message}\n`);
  }
}
process.exit(result.problems.length === 0 ? 0 : 1);

import fs from "node:fs";
import path from "node:path";

const CHECKBOX = /^(\s*)[-*+]\s+\[([ xX])\]\s+(.*)$/;
const HEADING = /^(#{1,6})\s+(.*)$/;
const CITATION = /\.runs\/([^/\s`'")\]]+)\/cli\/([^/\s`'")\]]+)\/manifest\.json(?:#approvals\[(\d+)\])?/g;
// Anything from an "Evidence:" marker (optionally after a dash) to the end of the line is evidence.
const EVIDENCE_MARKER = /\s*(?:[—–-]{1,2}\s*)?\(?\s*evidence\s*:.*$/i;
// A bare citation (optionally in backticks/brackets) at the end of the item is evidence too.
const TRAILING_CITATION =
  /(?:\s*[—–-]{0,2}\s*[([]?`?\.runs\/\S+?\/manifest\.json(?:#approvals\[\d+\])?`?[)\]]?[,;]?)+\s*$/;

/** A run cited as evidence: `.runs/<task>/cli/<run>/manifest.json[#approvals[<i>]]`. */
export interface Citation {
  text: string;
  taskId: string;
  runId: string;
  approval: number | null;
}

/** One checklist item: `- [x] text — Evidence: …`. */
export interface ChecklistItem {
  line: number;
  checked: boolean;
  /** Evidence stripped, whitespace collapsed: what mirrors are compared by. */
  text: string;
  citations: Citation[];
}

/** A task's checklist in one file; `missing` or `noSection` when it is not there. */
export interface ChecklistMirror {
  file: string;
  missing: boolean;
  noSection: boolean;
  /** The line its items are reported against when one is missing. */
  line: number;
  items: ChecklistItem[];
}

/** Reads a whole-file mirror: every checklist item of the file belongs to the task. */
export function readFileMirror(root: string, relative: string): ChecklistMirror {
  const lines = readLines(root, relative);
  if (lines === null) return { file: relative, missing: true, noSection: false, line: 1, items: [] };
  return { file: relative, missing: false, noSection: false, line: 1, items: extractItems(lines, 1) };
}

/** Reads a sectioned mirror: the task's section starts at a heading naming its id. */
export function readSectionMirror(root: string, relative: string, taskId: string): ChecklistMirror {
  const lines = readLines(root, relative);
  if (lines === null) return { file: relative, missing: true, noSection: false, line: 1, items: [] };
  const fenced = fencedLines(lines);
  const headingAt = (index: number) => (fenced[index] ? null : HEADING.exec(lines[index] ?? ""));
  const idPattern = new RegExp(
    `(^|[^0-9A-Za-z])${taskId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^0-9A-Za-z]|$)`,
  );
  const start = lines.findIndex((_line, index) => {
    const heading = headingAt(index);
    return heading !== null && idPattern.test(heading[2] ?? "");
  });
  if (start === -1) return { file: relative, missing: false, noSection: true, line: 1, items: [] };
  const level = (headingAt(start)?.[1] ?? "#").length;
  let end = lines.length;
  for (let index = start + 1; index < lines.length; index += 1) {
    const heading = headingAt(index);
    if (heading && (heading[1] ?? "").length <= level) {
      end = index;
      break;
    }
  }
  return {
    file: relative,
    missing: false,
    noSection: false,
    line: start + 1,
    items: extractItems(lines.slice(start + 1, end), start + 2),
  };
}

/** The item text used to compare mirrors: evidence stripped, whitespace collapsed. */
export function comparableText(text: string): string {
  return text.replace(EVIDENCE_MARKER, "").replace(TRAILING_CITATION, "").replace(/\s+/g, " ").trim();
}

function readLines(root: string, relative: string): string[] | null {
  const absolute = path.join(root, relative);
  if (!fs.existsSync(absolute)) return null;
  return fs.readFileSync(absolute, "utf8").split(/\r?\n/);
}

// For each line, whether it sits inside a fenced code block (examples there are not items).
function fencedLines(lines: readonly string[]): boolean[] {
  let fence: string | null = null;
  return lines.map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker !== undefined) {
      fence = marker;
      return true;
    }
    if (fence !== null && marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) {
      fence = null;
      return true;
    }
    return fence !== null;
  });
}

function extractItems(lines: readonly string[], firstLine: number): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  const fenced = fencedLines(lines);
  lines.forEach((line, offset) => {
    const match = fenced[offset] ? null : CHECKBOX.exec(line);
    if (!match) return;
    const raw = match[3] ?? "";
    items.push({
      line: firstLine + offset,
      checked: match[2] !== " ",
      text: comparableText(raw),
      citations: [...raw.matchAll(CITATION)].map((citation) => ({
        text: citation[0],
        taskId: citation[1] ?? "",
        runId: citation[2] ?? "",
        approval: citation[3] === undefined ? null : Number(citation[3]),
      })),
    });
  });
  return items;
}

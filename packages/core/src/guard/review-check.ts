import fs from "node:fs";
import path from "node:path";

const DAY_MS = 86_400_000;

/** Parses `YYYY-MM-DD` to a UTC time, or null when it is not a real date. */
export function parseReviewDate(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text).trim());
  if (!match) return null;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(time).toISOString().slice(0, 10) === match.slice(1).join("-") ? time : null;
}

/**
 * Problems with review dates: every `tasks/specs/*.md` has `last_review: YYYY-MM-DD` in its front
 * matter, and it (and any `last_review` in `tasks/index.json`) is at most `maxAgeDays` old.
 */
export function checkReviewDates(options: { root: string; today: number; maxAgeDays: number }): string[] {
  const problems: string[] = [];
  const checkDate = (where: string, value: unknown) => {
    const time = parseReviewDate(String(value));
    if (time === null)
      return problems.push(`${where}: last_review "${String(value)}" is not a YYYY-MM-DD date`);
    const age = Math.floor((options.today - time) / DAY_MS);
    if (age > options.maxAgeDays)
      problems.push(
        `${where}: last_review ${String(value)} is ${age} days old (limit ${options.maxAgeDays})`,
      );
    return undefined;
  };
  const specsDir = path.join(options.root, "tasks", "specs");
  const specs = fs.existsSync(specsDir)
    ? fs
        .readdirSync(specsDir)
        .filter((name) => name.endsWith(".md"))
        .sort()
    : [];
  for (const name of specs) {
    const lines = fs.readFileSync(path.join(specsDir, name), "utf8").split(/\r?\n/);
    const end = lines[0]?.trim() === "---" ? lines.indexOf("---", 1) : -1;
    const field = end === -1 ? -1 : lines.slice(1, end).findIndex((line) => /^last_review\s*:/.test(line));
    if (field === -1) {
      problems.push(`tasks/specs/${name}:1: no last_review in the front matter`);
      continue;
    }
    const value = (lines[field + 1] ?? "")
      .replace(/^last_review\s*:\s*/, "")
      .replace(/\s+#.*$/, "")
      .replace(/^["']|["']$/g, "");
    checkDate(`tasks/specs/${name}:${field + 2}`, value);
  }
  const indexFile = path.join(options.root, "tasks", "index.json");
  if (fs.existsSync(indexFile)) {
    let index: Record<string, unknown> | null;
    try {
      index = JSON.parse(fs.readFileSync(indexFile, "utf8")) as Record<string, unknown> | null;
    } catch {
      index = null; // reported by the mirror check
    }
    // The original CLI's key is "items", ours was "tasks": check the tasks of both.
    const tasks = [index?.items, index?.tasks].flatMap((list) => (Array.isArray(list) ? list : []));
    for (const task of tasks as Array<{ id?: unknown; last_review?: unknown } | null>) {
      if (task && task.last_review !== undefined)
        checkDate(`tasks/index.json (task ${String(task.id)})`, task.last_review);
    }
  }
  return problems;
}

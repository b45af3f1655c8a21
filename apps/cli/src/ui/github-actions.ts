import { appendFileSync } from "node:fs";

// Workflow commands end at a newline and split properties at `,` and `:`: GitHub's runner decodes
// these escapes (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).

/** A workflow command's message, escaped: `%`, carriage returns and newlines. */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A workflow command's property value, escaped: also `:` and `,`. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `::group::title`, the lines, `::endgroup::`: a folded section of the job's log. */
export function groupLines(title: string, lines: readonly string[]): string[] {
  return [`::group::${escapeCommandData(title)}`, ...lines.map(neutralizeCommand), "::endgroup::"];
}

/** `::error title=…::message`: an annotation on the workflow run. */
export function errorAnnotation(title: string, message: string): string {
  return `::error title=${escapeCommandProperty(title)}::${escapeCommandData(message)}`;
}

/**
 * A stage's own line that looks like a workflow command (`::endgroup::`, `::error::`) would end our
 * group or forge an annotation; a zero-width space after the first colon keeps it text.
 */
function neutralizeCommand(line: string): string {
  return line.startsWith("::") ? `:\u200b${line.slice(1)}` : line;
}

/**
 * Appends Markdown to the job summary (`$GITHUB_STEP_SUMMARY`), never replacing what other steps
 * wrote; false when there is no such file to write.
 */
export function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === "") return false;
  appendFileSync(file, markdown.endsWith("\n") ? markdown : `${markdown}\n`);
  return true;
}

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { appendStepSummary, errorAnnotation, escapeCommandData, groupLines } from "./github-actions.js";

describe("GitHub Actions workflow commands", () => {
  it("escapes %, carriage returns and newlines in messages, and : and , in properties", () => {
    expect(escapeCommandData("100%\r\ndone\n")).toBe("100%25%0D%0Adone%0A");
    expect(errorAnnotation("Stage a:b, c failed", "exit 1\nboom")).toBe(
      "::error title=Stage a%3Ab%2C c failed::exit 1%0Aboom",
    );
  });

  it("folds lines into a group a stage's own ::endgroup:: cannot close", () => {
    expect(groupLines("✔ [1] build", ["one", "::endgroup::", "::error::forged"])).toEqual([
      "::group::✔ [1] build",
      "one",
      ":\u200b:endgroup::",
      ":\u200b:error::forged",
      "::endgroup::",
    ]);
  });

  it("appends to the step summary, never replacing it", () => {
    const file = path.join(tempDir(), "summary.md");
    writeFileSync(file, "# earlier step\n");
    expect(appendStepSummary({ GITHUB_STEP_SUMMARY: file }, "### ours")).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("# earlier step\n### ours\n");
    expect(appendStepSummary({}, "### ours")).toBe(false);
  });
});

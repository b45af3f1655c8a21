import { rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "../helpers/temp-dir.js";
import { MIRRORS, manifestFor, runNode, writeManifest, writeTaskProject } from "./support.js";

const RUN = "2026-11-24T10-00-00-000Z-0123abcd";
const EVIDENCE = `.runs/0101/cli/${RUN}/manifest.json`;

/** A JSON Schema (draft 2020-12, like the generated one) that requires a few manifest fields. */
const MANIFEST_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["version", "run_id", "status", "started_at"],
  properties: {
    version: { const: 1 },
    run_id: { type: "string", minLength: 1 },
    status: { enum: ["queued", "in_progress", "succeeded", "failed", "cancelled", "awaiting_approval"] },
    started_at: { type: "string", format: "date-time" },
  },
};

function checkMirrors(root: string, format: "text" | "json" = "text") {
  return runNode("check-mirrors.mjs", ["--root", root, "--format", format], { cwd: root });
}

/** A project whose first item is checked in every mirror and cites `evidence`. */
function projectWithEvidence(root: string, evidence: string | undefined): void {
  writeTaskProject(root, {
    items: [{ text: "Schema package", checked: true, ...(evidence ? { evidence } : {}) }],
  });
}

describe("check-mirrors.mjs", () => {
  it("passes when the four mirrors hold the same checklist", () => {
    const root = tempDir();
    writeTaskProject(root);

    const result = checkMirrors(root);

    expect(result.stdout).toContain("check-mirrors: OK (1 task(s)");
    expect(result.status).toBe(0);
  });

  it("reports an item whose checked state differs, naming the file and line", () => {
    const root = tempDir();
    writeTaskProject(root, {
      items: [{ text: "Schema package" }, { text: "Engine with telemetry" }],
      mirrorItems: {
        agent: [
          { text: "Schema package" },
          { text: "Engine with telemetry", checked: true, evidence: EVIDENCE },
        ],
      },
    });

    const result = checkMirrors(root);

    expect(result.status).toBe(1);
    // The agent mirror is "# 0101 Demo", a blank line, then the items: the second item is line 4.
    expect(result.stdout).toContain(
      `${MIRRORS.agent}:4: task 0101: item "Engine with telemetry" is checked but unchecked`,
    );
  });

  it("reports an item missing from a sectioned mirror and ignores other tasks' sections", () => {
    const root = tempDir();
    writeTaskProject(root, { mirrorItems: { tasks: [{ text: "Schema package" }] } });

    const result = checkMirrors(root);

    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toEqual([
      `${MIRRORS.tasks}:7: task 0101: item missing: "Engine with telemetry" (see ${MIRRORS.task}:4)`,
    ]);
  });

  it("reports an extra item and a mirror file that does not exist", () => {
    const root = tempDir();
    writeTaskProject(root, {
      mirrorItems: {
        plan: [{ text: "Schema package" }, { text: "Engine with telemetry" }, { text: "Surprise" }],
      },
    });
    rmSync(path.join(root, MIRRORS.agent));

    const result = checkMirrors(root);

    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`${MIRRORS.plan}:9: task 0101: item not in ${MIRRORS.task}: "Surprise"`);
    expect(result.stdout).toContain(`${MIRRORS.agent}: mirror file for task 0101 not found`);
  });

  it("strips trailing evidence before comparing item text", () => {
    const root = tempDir();
    writeManifest(root, RUN, manifestFor(RUN));
    writeTaskProject(root, {
      items: [{ text: "Schema package", checked: true, evidence: EVIDENCE }],
      mirrorItems: { tasks: [{ text: "Schema package", checked: true, evidence: `\`${EVIDENCE}\`` }] },
    });
    // A bare trailing citation (no "Evidence:" marker) counts as evidence too.
    writeFiles(root, { [MIRRORS.agent]: `# 0101 Demo\n\n- [x] Schema package (${EVIDENCE})\n` });

    const result = checkMirrors(root, "json");

    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { verified: unknown[] };
    expect(report.verified).toHaveLength(4);
  });

  it("ignores checklist examples and headings inside fenced code blocks", () => {
    const root = tempDir();
    writeTaskProject(root);
    const example = "```markdown\n## 0101 example heading\n- [x] Example item without evidence\n```\n";
    writeFiles(root, {
      [MIRRORS.agent]: `# 0101 Demo\n\n${example}\n- [ ] Schema package\n- [ ] Engine with telemetry\n`,
    });
    writeFiles(root, {
      [MIRRORS.tasks]: `# Tasks\n\n${example}\n## 0101 Demo\n\n- [ ] Schema package\n- [ ] Engine with telemetry\n`,
    });

    const result = checkMirrors(root);

    expect(result.stdout).toContain("check-mirrors: OK");
    expect(result.status).toBe(0);
  });

  it("fails a checked item that cites no evidence", () => {
    const root = tempDir();
    projectWithEvidence(root, undefined);

    const result = checkMirrors(root);

    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      `${MIRRORS.task}:3: task 0101: checked item "Schema package" cites no evidence`,
    );
    expect(result.stdout.trim().split("\n")).toHaveLength(4);
  });

  it("accepts a cited manifest that is absent locally but lists it as unverified in JSON", () => {
    const root = tempDir();
    projectWithEvidence(root, EVIDENCE);

    const text = checkMirrors(root);
    const json = checkMirrors(root, "json");

    expect(text.status).toBe(0);
    expect(text.stdout).not.toContain("unverified");
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      unverified: { file: string; citation: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.unverified).toHaveLength(4);
    expect(report.unverified[0]).toMatchObject({ file: MIRRORS.task, citation: EVIDENCE });
  });

  it("verifies a present manifest of a succeeded run", () => {
    const root = tempDir();
    writeManifest(root, RUN, manifestFor(RUN));
    projectWithEvidence(root, EVIDENCE);

    const result = checkMirrors(root, "json");

    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as { verified: unknown[] }).verified).toHaveLength(4);
  });

  it("fails when the cited manifest records a failed run", () => {
    const root = tempDir();
    writeManifest(root, RUN, manifestFor(RUN, { status: "failed" }));
    projectWithEvidence(root, EVIDENCE);

    const result = checkMirrors(root);

    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      `${MIRRORS.task}:3: ${EVIDENCE}: run status is "failed", not "succeeded"`,
    );
  });

  it("fails when the cited manifest is not JSON", () => {
    const root = tempDir();
    writeManifest(root, RUN, "{ truncated");
    projectWithEvidence(root, EVIDENCE);

    const result = checkMirrors(root);

    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`${EVIDENCE}: manifest is not valid JSON`);
  });

  it("without a schema file, requires run_id and status", () => {
    const root = tempDir();
    writeManifest(root, RUN, { run_id: RUN });
    projectWithEvidence(root, EVIDENCE);

    const result = checkMirrors(root);

    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`${EVIDENCE}: manifest is invalid (missing "status")`);
  });

  it("validates a present manifest against packages/schema/schemas/manifest.schema.json", () => {
    const root = tempDir();
    writeFiles(root, { "packages/schema/schemas/manifest.schema.json": JSON.stringify(MANIFEST_SCHEMA) });
    writeManifest(root, RUN, manifestFor(RUN, { started_at: "yesterday" }));
    projectWithEvidence(root, EVIDENCE);

    const invalid = checkMirrors(root);
    writeManifest(root, RUN, manifestFor(RUN));
    const valid = checkMirrors(root);

    expect(invalid.status).toBe(1);
    expect(invalid.stdout).toContain(
      `${EVIDENCE}: manifest is invalid (/started_at must match format "date-time")`,
    );
    expect(valid.status).toBe(0);
  });

  it("checks an #approvals[i] citation against the manifest's approvals", () => {
    const root = tempDir();
    const approval = (decision: string) => ({
      stage_id: "review",
      actor: "alice",
      decision,
      reason: null,
      timestamp: "2026-11-24T10:00:00.000Z",
      plan_hash: "abc",
    });
    writeManifest(root, RUN, manifestFor(RUN, { approvals: [approval("approved"), approval("rejected")] }));
    const cite = (index: number) => {
      projectWithEvidence(root, `${EVIDENCE}#approvals[${index}]`);
      return checkMirrors(root);
    };

    const approved = cite(0);
    const rejected = cite(1);
    const missing = cite(5);

    expect(approved.status).toBe(0);
    expect(rejected.status).toBe(1);
    expect(rejected.stdout).toContain(`${EVIDENCE}#approvals[1]: approval decision is "rejected"`);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain(`${EVIDENCE}#approvals[5]: no such approval in the manifest`);
  });

  it("reports a missing task index and exits 2 on usage errors", () => {
    const root = tempDir();

    const noIndex = checkMirrors(root);
    const badFormat = runNode("check-mirrors.mjs", ["--root", root, "--format", "yaml"], { cwd: root });
    const unknown = runNode("check-mirrors.mjs", ["--verbose"], { cwd: root });
    const help = runNode("check-mirrors.mjs", ["--help"], { cwd: root });

    expect(noIndex.status).toBe(1);
    expect(noIndex.stdout).toContain("tasks/index.json: task index not found");
    expect(badFormat.status).toBe(2);
    expect(badFormat.stderr).toContain('check-mirrors: --format must be text or json, got "yaml"');
    expect(unknown.status).toBe(2);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("usage: check-mirrors.mjs");
  });
});

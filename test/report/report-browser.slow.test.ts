import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchChromium, openPage, testResultsDir } from "../helpers/browser.js";
import { runCli, runCliJson } from "../helpers/cli.js";
import { command, pipeline, tempRepo } from "../helpers/repo.js";

// The reports of real runs of the built CLI, opened from file:// in headless Chromium: what a
// reviewer sees and can do, with no console errors and no request leaving the page.
interface StartJson {
  run_id: string;
  status: string;
  artifact_root: string;
  exit_code: number;
}

const HOSTILE = String.raw`printf '%s\n' '<script>window.__pwned=1</script>' '</textarea><img src=x onerror=window.__pwned=2>' '</pre></details><b>bold?</b>'`;

let browser: Browser;
const shots = testResultsDir("report");

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

function reportOf(root: string, run: StartJson): string {
  const file = path.join(root, run.artifact_root, "report.html");
  expect(existsSync(file), `${file} is written when the run ends`).toBe(true);
  return file;
}

async function open(file: string, shot: string): Promise<Page> {
  const { page, problems } = await openPage(browser, file);
  await page.screenshot({ path: path.join(shots, `${shot}.png`), fullPage: true });
  expect(problems).toEqual([]);
  return page;
}

describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")("the run report in a browser", () => {
  test("a failed run: the failing stage and its last lines first, hostile output shown as text", async () => {
    const root = tempRepo({
      pipelines: [
        pipeline("checks", [
          command("lint", "echo lint ok"),
          command("unit", `${HOSTILE}; echo 'expected 3 got 4' >&2; exit 3`),
          command("after", "echo never"),
        ]),
      ],
    });
    const { json: run } = runCliJson<StartJson>(root, ["start", "checks", "--task", "t1"]);
    expect(run.status).toBe("failed");
    const page = await open(reportOf(root, run), "failed");

    const verdict = page.locator("#verdict");
    await expect(verdict.innerText()).resolves.toContain("Failing stage: unit");
    await expect(verdict.locator(".last-lines").textContent()).resolves.toContain("expected 3 got 4");
    await expect(verdict.locator(".next").textContent()).resolves.toBe(
      `codex-orchestrator resume ${run.run_id}`,
    );
    // The verdict comes before everything else on the page.
    const order = await page.locator("main > h2").allTextContents();
    expect(order).toEqual(["Run", "Timeline", "Logs", "Approvals and resume events"]);
    const verdictBox = await verdict.boundingBox();
    const firstHeading = await page.locator("main > h2").first().boundingBox();
    expect(verdictBox!.y).toBeLessThan(firstHeading!.y);

    // The hostile lines are text: no script ran, no element was injected.
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("<script>window.__pwned=1</script>");
    expect(text).toContain("</textarea><img src=x onerror=window.__pwned=2>");
    expect(text).toContain("</pre></details><b>bold?</b>");
    await expect(page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    await expect(page.locator("img").count()).resolves.toBe(0);
    await expect(page.locator("main b", { hasText: "bold?" }).count()).resolves.toBe(0);
    // stderr is marked.
    await expect(page.locator("#log-t1-unit").count()).resolves.toBe(0);
    const unitLog = page.locator(`[id="log-${run.run_id}-unit"]`);
    await expect(unitLog.locator(".log-line.stderr").first().textContent()).resolves.toContain(
      "expected 3 got 4",
    );
  });

  test("a succeeded run: logs start collapsed, expand on click, and search finds a line", async () => {
    const root = tempRepo({
      pipelines: [
        pipeline("build", [
          command(
            "compile",
            String.raw`printf '\033[32mgreen line\033[0m\n'; for i in $(seq 1 200); do echo "compile line $i"; done`,
          ),
          command("package", "echo 'needle-7f3a in the haystack'; echo done"),
        ]),
      ],
    });
    const { json: run } = runCliJson<StartJson>(root, ["start", "build", "--task", "t1"]);
    expect(run.status).toBe("succeeded");
    const page = await open(reportOf(root, run), "succeeded");
    await expect(page.locator("#verdict .badge").textContent()).resolves.toBe("succeeded");
    await expect(page.locator("#verdict .next").count()).resolves.toBe(0);

    const compileLog = page.locator(`[id="log-${run.run_id}-compile"]`);
    const line = compileLog.locator(".log-line", { hasText: "compile line 150" });
    await expect(line.isVisible()).resolves.toBe(false);
    await compileLog.locator("summary").click();
    await expect(line.isVisible()).resolves.toBe(true);
    // ANSI colours are rendered as styled text, the escape codes removed.
    const green = compileLog.locator(".f2", { hasText: "green line" });
    await expect(green.count()).resolves.toBe(1);
    await expect(compileLog.textContent()).resolves.not.toContain("[32m");

    const packageLog = page.locator(`[id="log-${run.run_id}-package"]`);
    const needle = packageLog.locator(".log-line", { hasText: "needle-7f3a" });
    await expect(needle.isVisible()).resolves.toBe(false);
    await page.locator("#log-search").fill("needle-7f3a");
    await page.locator("#log-search").press("Enter");
    await expect(needle.isVisible()).resolves.toBe(true);
    await expect(needle.getAttribute("class")).resolves.toContain("hit");
    await expect(page.locator("#search-count").textContent()).resolves.toBe("1 line");
    await page.screenshot({ path: path.join(shots, "succeeded-search.png"), fullPage: true });
  });

  test("a paused run names the approve command; after approval the decision is cited", async () => {
    const root = tempRepo({
      pipelines: [
        pipeline("release", [
          command("build", "echo built"),
          { kind: "manual", id: "sign-off", title: "Sign off" },
          command("ship", "echo shipped"),
        ]),
      ],
    });
    const paused = runCliJson<StartJson>(root, [
      "start",
      "release",
      "--task",
      "t1",
      "--approval-policy",
      "pause",
    ]);
    expect(paused.json.status).toBe("awaiting_approval");
    const runId = paused.json.run_id;
    let page = await open(reportOf(root, paused.json), "paused");
    await expect(page.locator("#verdict .next").textContent()).resolves.toBe(
      `codex-orchestrator approve ${runId} --stage sign-off --actor <name> --reason <why>\ncodex-orchestrator resume ${runId}`,
    );

    expect(runCli(root, ["approve", runId, "--actor", "dana", "--reason", "looks <good>"]).status).toBe(0);
    const resumed = runCliJson<StartJson>(root, ["resume", runId]);
    expect(resumed.json.status).toBe("succeeded");
    page = await open(reportOf(root, resumed.json), "approved");
    const decisions = page.locator("table.decisions");
    await expect(decisions.textContent()).resolves.toContain("looks <good>");
    await expect(decisions.textContent()).resolves.toContain("manifest.json#approvals[0]");
    await expect(decisions.textContent()).resolves.toContain("manifest.json#resume_events[0]");
    const gate = page.locator(`[id="stage-${runId}-sign-off"]`);
    await gate.locator("summary").click();
    await expect(gate.locator(".gate").innerText()).resolves.toMatch(/approved by dana at .* — looks <good>/);
  });

  test("a parallel run puts overlapping stages on separate lanes", async () => {
    const root = tempRepo({
      pipelines: [
        {
          ...pipeline("fan", [
            command("left", "sleep 0.6; echo left", { needs: [] }),
            command("right", "sleep 0.6; echo right", { needs: [] }),
            command("join", "echo join", { needs: ["left", "right"] }),
          ]),
          concurrency: 2,
        },
      ],
    });
    const { json: run } = runCliJson<StartJson>(root, ["start", "fan", "--task", "t1"]);
    expect(run.status).toBe("succeeded");
    const page = await open(reportOf(root, run), "parallel");
    await expect(page.locator(".lanes .lane").count()).resolves.toBe(2);
    const lanes = await Promise.all(
      (await page.locator(".lanes .lane").all()).map((lane) => lane.locator(".bar").allTextContents()),
    );
    expect(lanes.flat().sort()).toEqual(["join", "left", "right"]);
    expect(lanes.find((lane) => lane.includes("left"))).not.toContain("right");
  });

  test("a nested run: the child run expands in place under its stage; the index links both", async () => {
    const root = tempRepo({
      pipelines: [
        pipeline("inner", [command("inner-step", "echo from the child run")]),
        pipeline("outer", [
          command("prepare", "echo prepare"),
          { kind: "subpipeline", id: "nested", title: "Nested", pipeline: "inner" },
        ]),
      ],
    });
    const { json: run } = runCliJson<StartJson>(root, ["start", "outer", "--task", "t1"]);
    expect(run.status).toBe("succeeded");
    const page = await open(reportOf(root, run), "nested");
    const stage = page.locator(`[id="stage-${run.run_id}-nested"]`);
    await stage.locator("> summary").click();
    const child = stage.locator("details.child");
    await expect(child.count()).resolves.toBe(1);
    const childStage = child.locator("details.stage", { hasText: "inner-step" });
    await expect(childStage.isVisible()).resolves.toBe(false);
    await child.locator("> summary").click();
    await expect(childStage.isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(shots, "nested-expanded.png"), fullPage: true });

    const index = runCliJson<{ file: string; runs: number }>(root, ["report", "--index"]);
    expect(index.status).toBe(0);
    expect(index.json.runs).toBe(2);
    const listing = await open(index.json.file, "index");
    const rows = listing.locator("tr[data-run]");
    await expect(rows.count()).resolves.toBe(2);
    await expect(rows.nth(1).getAttribute("class")).resolves.toBe("child-row");
    const href = await rows.first().locator("a").getAttribute("href");
    expect(
      readFileSync(path.resolve(path.dirname(index.json.file), decodeURIComponent(href!)), "utf8"),
    ).toContain(run.run_id);
    await listing.locator('select[data-filter="pipeline"]').selectOption("inner");
    await expect(listing.locator("tr[data-run]:not(.hidden)").count()).resolves.toBe(1);
    await expect(listing.locator("#shown-count").textContent()).resolves.toBe("1");
  });
});

import { statSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchChromium, openPage, testResultsDir } from "../helpers/browser.js";
import { runCliJson } from "../helpers/cli.js";
import { command, pipeline, tempRepo } from "../helpers/repo.js";

// A stage that prints 200 MB: the report embeds its first and last part, says what it left out
// and where the whole log is, stays small and opens quickly.
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.skipIf(process.env.SKIP_SLOW_TESTS === "1")("the report of a 200 MB-output run", () => {
  test("stays under a few MB, shows the head and the tail, and opens in under 2 s", async () => {
    const root = tempRepo({
      pipelines: [
        pipeline("flood", [
          command(
            "flood",
            String.raw`echo first-line-marker; head -c 200000000 /dev/zero | tr '\0' 'x' | fold -w 199; echo last-line-marker`,
          ),
        ]),
      ],
    });
    const { json: run } = runCliJson<{ status: string; artifact_root: string }>(root, [
      "start",
      "flood",
      "--task",
      "t1",
      // 200 MB echoed on stderr would fill the test's output buffer; the log is what is measured.
      "--output-logs",
      "none",
    ]);
    expect(run.status).toBe("succeeded");
    const runDir = path.join(root, run.artifact_root);
    expect(statSync(path.join(runDir, "commands", "01-flood.ndjson")).size).toBeGreaterThan(200_000_000);
    const report = path.join(runDir, "report.html");
    const size = statSync(report).size;
    expect(size).toBeLessThan(3 * 1024 * 1024);

    const { page, problems, loadMs } = await openPage(browser, report);
    expect(loadMs).toBeLessThan(2000);
    expect(problems).toEqual([]);
    const log = page.locator("details.log").first();
    await log.locator("summary").click();
    await expect(log.locator(".log-line", { hasText: "first-line-marker" }).count()).resolves.toBe(1);
    await expect(log.locator(".log-line", { hasText: "last-line-marker" }).count()).resolves.toBe(1);
    await expect(log.locator(".cut").textContent()).resolves.toMatch(
      /MiB of log not embedded; the full log is \.runs\/t1\/cli\/.*\/commands\/01-flood\.ndjson/,
    );
    await page.screenshot({ path: path.join(testResultsDir("report"), "large-log.png") });
  });
});

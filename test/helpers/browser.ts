import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

/**
 * The Chromium the browser tests drive: CODEX_ORCHESTRATOR_CHROMIUM, else `chromium` on the PATH
 * (Debian's package, which scripts/test-deps.sh installs).
 */
export const CHROMIUM_PATH =
  process.env["CODEX_ORCHESTRATOR_CHROMIUM"] ??
  (process.env["PATH"] ?? "")
    .split(path.delimiter)
    .map((directory) => path.join(directory, "chromium"))
    .find((candidate) => existsSync(candidate)) ??
  "/usr/bin/chromium";

/**
 * Starts headless Chromium with no network side traffic (no updates, sync or background fetches):
 * a report must work from file:// on a machine without a network.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page whose console errors, page errors and network requests other than file:// are collected. */
export async function openPage(
  browser: Browser,
  file: string,
): Promise<{ page: Page; problems: string[]; loadMs: number }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning")
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => {
    if (!request.url().startsWith("file://")) problems.push(`request: ${request.url()}`);
  });
  const started = Date.now();
  await page.goto(`file://${file}`, { waitUntil: "load" });
  return { page, problems, loadMs: Date.now() - started };
}

/**
 * Where screenshots go: CODEX_ORCHESTRATOR_TEST_RESULTS (CI keeps that folder as an artifact), else
 * a folder under the OS temp dir; never the repository.
 */
export function testResultsDir(name: string): string {
  const directory = path.join(
    process.env["CODEX_ORCHESTRATOR_TEST_RESULTS"] ??
      path.join(os.tmpdir(), "codex-orchestrator-test-results"),
    name,
  );
  mkdirSync(directory, { recursive: true });
  return directory;
}

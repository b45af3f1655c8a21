import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { onTestFinished, describe, expect, test } from "vitest";
import { parseLogText, readLogExcerpt } from "../src/log-excerpt.js";

function tempFile(content: string): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), "codex-report-log-"));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  const file = path.join(directory, "01-stage.ndjson");
  writeFileSync(file, content);
  return file;
}

const line = (type: string, data: string, attempt = 1) =>
  `${JSON.stringify({ type, data, attempt, timestamp: "2026-01-01T00:00:00.000Z", index: 1 })}\n`;

describe("stage log excerpts", () => {
  test("chunks are joined into lines per stream; attempts are marked", () => {
    const text =
      `${JSON.stringify({ type: "command:start", command: "x", attempt: 1, timestamp: "2026-01-01T00:00:00.000Z", index: 1 })}\n` +
      line("command:stdout", "hel") +
      line("command:stderr", "oops\n") +
      line("command:stdout", "lo\nwor") +
      line("command:stdout", "ld\n") +
      `${JSON.stringify({ type: "command:end", exit_code: 2, signal: null, attempt: 1, timestamp: "2026-01-01T00:00:00.000Z", index: 1 })}\n`;
    expect(parseLogText(text)).toEqual([
      { stream: "meta", text: "attempt 1 started" },
      { stream: "stderr", text: "oops" },
      { stream: "stdout", text: "hello" },
      { stream: "stdout", text: "world" },
      { stream: "meta", text: "attempt 1 ended: exit 2" },
    ]);
  });

  test("a small log is read whole", () => {
    const excerpt = readLogExcerpt(tempFile(line("command:stdout", "one\ntwo\n")), 1024);
    expect(excerpt?.head.map((entry) => entry.text)).toEqual(["one", "two"]);
    expect(excerpt?.tail).toEqual([]);
    expect(excerpt?.omittedBytes).toBe(0);
  });

  test("a large log gives its first and last whole lines and counts what it leaves out", () => {
    let content = "";
    for (let index = 0; index < 5000; index++) content += line("command:stdout", `line ${index}\n`);
    const file = tempFile(content);
    const excerpt = readLogExcerpt(file, 4096)!;
    expect(excerpt.size).toBe(Buffer.byteLength(content));
    expect(excerpt.head[0]?.text).toBe("line 0");
    expect(excerpt.tail.at(-1)?.text).toBe("line 4999");
    const kept = excerpt.head.length + excerpt.tail.length;
    expect(kept).toBeLessThan(200);
    expect(excerpt.omittedBytes).toBeGreaterThan(excerpt.size - 2 * 4096);
    expect(excerpt.omittedBytes).toBeLessThan(excerpt.size);
  });

  test("a missing log is null", () => {
    expect(readLogExcerpt(path.join(os.tmpdir(), "no-such-dir-codex", "01.ndjson"))).toBeNull();
  });
});

describe("links", () => {
  test("a log that is a symbolic link is not read", async () => {
    const { symlinkSync } = await import("node:fs");
    const secret = tempFile(line("command:stdout", "not the run's\n"));
    const link = path.join(path.dirname(secret), "02-link.ndjson");
    symlinkSync(secret, link);
    expect(readLogExcerpt(link)).toBeNull();
    expect(readLogExcerpt(secret)?.head[0]?.text).toBe("not the run's");
  });
});

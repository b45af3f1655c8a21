import { describe, expect, it } from "vitest";
import { colorEnabled, parseOutputLogs, resolveOutputMode } from "./output-mode.js";

const tty = { isTTY: true, columns: 100 };
const pipe = { isTTY: false };

describe("colorEnabled", () => {
  it("colours a terminal, not a pipe, not TERM=dumb, not with NO_COLOR", () => {
    expect(colorEnabled(tty, {})).toBe(true);
    expect(colorEnabled(pipe, {})).toBe(false);
    expect(colorEnabled(tty, { TERM: "dumb" })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: "1" })).toBe(false);
    // An empty NO_COLOR does not count (no-color.org).
    expect(colorEnabled(tty, { NO_COLOR: "" })).toBe(true);
  });

  it("lets FORCE_COLOR decide when set, off a terminal and over NO_COLOR", () => {
    for (const value of ["1", "2", "3", "true", ""])
      expect(colorEnabled(pipe, { FORCE_COLOR: value })).toBe(true);
    expect(colorEnabled(pipe, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(true);
    expect(colorEnabled(tty, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled(tty, { FORCE_COLOR: "false" })).toBe(false);
  });
});

describe("resolveOutputMode", () => {
  it("draws live only on a terminal with a width that is not dumb and not CI", () => {
    expect(resolveOutputMode({ stream: tty, env: {} })).toMatchObject({
      live: true,
      columns: 100,
      outputLogs: "none",
    });
    expect(resolveOutputMode({ stream: pipe, env: {} })).toMatchObject({
      live: false,
      columns: 0,
      outputLogs: "full",
    });
    expect(resolveOutputMode({ stream: tty, env: { TERM: "dumb" } }).live).toBe(false);
    expect(resolveOutputMode({ stream: tty, env: { CI: "true" } }).live).toBe(false);
    expect(resolveOutputMode({ stream: tty, env: { CI: "false" } }).live).toBe(true);
    expect(resolveOutputMode({ stream: tty, env: { GITHUB_ACTIONS: "true" } })).toMatchObject({
      live: false,
      githubActions: true,
    });
    expect(resolveOutputMode({ stream: { isTTY: true, columns: 0 }, env: {} }).live).toBe(false);
    expect(resolveOutputMode({ stream: tty, env: { COLUMNS: "0" } }).live).toBe(false);
    expect(resolveOutputMode({ stream: tty, env: { COLUMNS: "40" } }).columns).toBe(40);
    // Off a terminal nothing is cut, whatever COLUMNS says.
    expect(resolveOutputMode({ stream: pipe, env: { COLUMNS: "40" } }).columns).toBe(0);
  });

  it("takes --output-logs over the environment variable over the default", () => {
    const env = { CODEX_ORCHESTRATOR_OUTPUT_LOGS: "failed" };
    expect(resolveOutputMode({ stream: pipe, env }).outputLogs).toBe("failed");
    expect(resolveOutputMode({ stream: pipe, env, outputLogs: "none" }).outputLogs).toBe("none");
  });

  it("refuses a value that is not a choice, naming where it came from", () => {
    expect(() => parseOutputLogs("all", {})).toThrow(
      /Invalid --output-logs "all": expected full, failed, none/,
    );
    expect(() => parseOutputLogs(undefined, { CODEX_ORCHESTRATOR_OUTPUT_LOGS: "loud" })).toThrow(
      /CODEX_ORCHESTRATOR_OUTPUT_LOGS "loud"/,
    );
    expect(parseOutputLogs(undefined, { CODEX_ORCHESTRATOR_OUTPUT_LOGS: "" })).toBeUndefined();
  });
});

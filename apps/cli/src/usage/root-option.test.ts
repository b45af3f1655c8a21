import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliCommand } from "../run/next-steps.js";
import { resolveRootOption, rootOptions } from "./root-option.js";

const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "root-option-")));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe("resolveRootOption", () => {
  it("makes a relative --root absolute against the current folder", () => {
    fs.mkdirSync(path.join(base, "repo"));
    const argv: { root?: unknown } = { root: "repo" };
    resolveRootOption(argv, base);
    expect(argv.root).toBe(path.join(base, "repo"));
    expect(rootOptions(argv as { root: string })).toEqual({ root: path.join(base, "repo") });
  });

  it("leaves a command line without --root alone", () => {
    const argv: { root?: unknown } = {};
    resolveRootOption(argv, base);
    expect(argv).toEqual({});
    expect(rootOptions({})).toEqual({});
  });

  it("refuses a missing folder, a file, an empty value and a repeated flag, naming the flag", () => {
    fs.writeFileSync(path.join(base, "file"), "");
    expect(() => resolveRootOption({ root: "nowhere" }, base)).toThrow("--root nowhere: no such directory");
    expect(() => resolveRootOption({ root: "file" }, base)).toThrow("--root file: not a directory");
    expect(() => resolveRootOption({ root: "" }, base)).toThrow("--root needs a directory");
    expect(() => resolveRootOption({ root: ["a", "b"] }, base)).toThrow("--root given more than once");
  });
});

describe("cliCommand", () => {
  it("repeats --root in printed commands, quoted for the shell when needed", () => {
    expect(cliCommand(undefined)).toBe("codex-orchestrator");
    expect(cliCommand("/srv/repo")).toBe("codex-orchestrator --root /srv/repo");
    expect(cliCommand("/srv/my repo's")).toBe(`codex-orchestrator --root '/srv/my repo'\\''s'`);
  });
});

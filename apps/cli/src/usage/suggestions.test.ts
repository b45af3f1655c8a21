import { describe, expect, it } from "vitest";
import { closestMatch, describeUnknownArguments, editDistance } from "./suggestions.js";

const COMMANDS = ["start", "plan", "resume", "status", "approve", "runs", "help", "completion"];

describe("suggestions", () => {
  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("fromat", "format")).toBe(1);
    expect(editDistance("versoin", "version")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("prefers a command the word begins, else the nearest close enough", () => {
    expect(closestMatch("stat", COMMANDS)).toBe("status");
    expect(closestMatch("st", COMMANDS)).toBe("start");
    expect(closestMatch("aprove", COMMANDS)).toBe("approve");
    expect(closestMatch("rnus", COMMANDS)).toBe("runs");
    expect(closestMatch("frobnicate", COMMANDS)).toBeNull();
    expect(closestMatch("", COMMANDS)).toBeNull();
  });

  it("tells mistyped flags from mistyped words", () => {
    expect(
      describeUnknownArguments({
        unknown: ["fromat", "stat"],
        args: ["--fromat=json", "stat"],
        flags: ["format", "help", "h"],
        commands: COMMANDS,
      }),
    ).toEqual({
      message: "Unknown arguments: --fromat, stat",
      hint: "did you mean --format?; did you mean status?",
    });
    expect(
      describeUnknownArguments({ unknown: ["zzz"], args: ["-zzz"], flags: ["format"], commands: [] }),
    ).toEqual({ message: "Unknown argument: -zzz", hint: undefined });
  });
});

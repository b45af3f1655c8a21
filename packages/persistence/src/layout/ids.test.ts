import { describe, expect, it } from "vitest";
import { InvalidIdError } from "../errors.js";
import {
  createRunId,
  findIdProblem,
  findTaskIdProblem,
  runIdTime,
  slugify,
  stageFileStem,
  validateId,
} from "./ids.js";

describe("findIdProblem", () => {
  it.each([
    ["", "it is empty"],
    ["a\u0000b", "it contains a control character"],
    ["a\nb", "it contains a control character"],
    ["a\tb", "it contains a control character"],
    ["a\u007fb", "it contains a control character"],
    ["a/b", "it contains '/'"],
    ["a\\b", "it contains '\\'"],
    ["a..b", "it contains '..'"],
    ["..", "it starts with '.'"],
    [".hidden", "it starts with '.'"],
    ["a<b", "it contains '<'"],
    ["a>b", "it contains '>'"],
    ["a:b", "it contains ':'"],
    ['a"b', "it contains '\"'"],
    ["a|b", "it contains '|'"],
    ["a?b", "it contains '?'"],
    ["a*b", "it contains '*'"],
    [" 0101", "it has leading or trailing spaces"],
    ["x".repeat(201), "it is longer than 200 characters"],
  ])("refuses %j: %s", (value, problem) => {
    expect(findIdProblem(value)).toBe(problem);
  });

  it.each(["0101", "task-7_b", "2025-10-31T22-56-34-431Z-9574035c", "a.b", "x".repeat(200)])(
    "accepts %j",
    (value) => {
      expect(findIdProblem(value)).toBeNull();
    },
  );
});

describe("validateId", () => {
  it("returns a safe id unchanged", () => {
    expect(validateId("0101", { kind: "task id", source: "--task" })).toBe("0101");
  });

  it("throws InvalidIdError naming the kind, the value, the source and the problem", () => {
    let caught: unknown;
    try {
      validateId("../etc", { kind: "task id", source: "MCP_RUNNER_TASK_ID" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidIdError);
    const error = caught as InvalidIdError;
    expect(error.message).toBe(`Invalid task id "../etc" from MCP_RUNNER_TASK_ID: it starts with '.'`);
    expect(error.code).toBe("ERR_INVALID_ID");
    expect(error.usage).toBe(true);
    expect(error.hint).toMatch(/may not contain/);
  });

  it("names a run id from --run", () => {
    expect(() => validateId("a/b", { kind: "run id", source: "--run" })).toThrow(
      `Invalid run id "a/b" from --run: it contains '/'`,
    );
  });
});

describe("findTaskIdProblem", () => {
  it("refuses the names the runs layout uses beside task folders, in any case", () => {
    expect(findTaskIdProblem("local-mcp")).toMatch(/reserved/);
    expect(findTaskIdProblem("LOCAL-MCP")).toMatch(/reserved/);
    expect(findTaskIdProblem(".cache")).toMatch(/starts with '.'/);
    expect(findTaskIdProblem("local-mcp-2")).toBeNull();
    // Only task ids: a run id or stage id may be any safe name.
    expect(findIdProblem("local-mcp")).toBeNull();
    expect(() => validateId("local-mcp", { kind: "task id", source: "--task" })).toThrow(
      /Invalid task id "local-mcp" from --task: the name is reserved/,
    );
    expect(validateId("local-mcp", { kind: "stage id", source: "the config" })).toBe("local-mcp");
  });
});

describe("createRunId", () => {
  it("is the UTC timestamp with ':' and '.' as '-', then 8 lowercase hex digits", () => {
    const id = createRunId(new Date("2025-10-31T22:56:34.431Z"));
    expect(id).toMatch(/^2025-10-31T22-56-34-431Z-[0-9a-f]{8}$/);
    expect(findIdProblem(id)).toBeNull();
  });

  it("differs between two ids of the same millisecond", () => {
    const now = new Date("2025-10-31T22:56:34.431Z");
    const ids = new Set(Array.from({ length: 50 }, () => createRunId(now)));
    expect(ids.size).toBe(50);
  });

  it("sorts lexically in time order", () => {
    const times = [
      "1999-12-31T23:59:59.999Z",
      "2025-01-01T00:00:00.000Z",
      "2025-01-01T00:00:00.001Z",
      "2025-01-01T00:00:01.000Z",
      "2025-01-01T09:00:00.000Z",
      "2025-01-01T10:00:00.000Z",
      "2025-10-31T22:56:34.431Z",
      "2025-11-01T00:00:00.000Z",
    ];
    const ids = times.map((time) => createRunId(new Date(time)));
    const shuffled = [...ids].reverse();
    expect(shuffled.sort()).toEqual(ids);
  });
});

describe("runIdTime", () => {
  it("returns the time encoded in a run id", () => {
    const now = new Date("2025-10-31T22:56:34.431Z");
    expect(runIdTime(createRunId(now))?.toISOString()).toBe(now.toISOString());
    expect(runIdTime("2025-10-31T22-56-34-431Z-9574035c")?.toISOString()).toBe("2025-10-31T22:56:34.431Z");
  });

  it.each([
    "0101",
    "2025-10-31T22-56-34-431Z",
    "2025-10-31T22-56-34-431Z-9574035C",
    "2025-13-45T22-56-34-431Z-9574035c",
    "",
  ])("returns null for %j", (value) => {
    expect(runIdTime(value)).toBeNull();
  });
});

describe("slugify", () => {
  it.each([
    ["npm run build", "npm-run-build"],
    ["  --Lint!! the   code__now ", "Lint-the-code-now"],
    ["bash scripts/spec-guard.sh --dry-run", "bash-scripts-spec-guard-sh-dry-run"],
    ["", "command"],
    ["!!! ///", "command"],
    ["héllo wörld", "h-llo-w-rld"],
  ])("%j → %j", (text, slug) => {
    expect(slugify(text)).toBe(slug);
  });

  it("keeps at most 80 characters and never ends with '-'", () => {
    expect(slugify("a".repeat(100))).toBe("a".repeat(80));
    const cut = slugify(`${"a".repeat(79)} b`);
    expect(cut).toBe("a".repeat(79));
    expect(cut.length).toBeLessThanOrEqual(80);
  });

  it("names stage files NN-<slug>, 1-based and two digits", () => {
    expect(stageFileStem(1, "npm run build")).toBe("01-npm-run-build");
    expect(stageFileStem(12, "")).toBe("12-command");
  });
});

import { describe, expect, it } from "vitest";
import { formatIssuePath } from "./validate.js";

describe("formatIssuePath", () => {
  it("joins keys with dots and indexes with brackets", () => {
    expect(formatIssuePath(["pipelines", 0, "stages", 2, "id"])).toBe("pipelines[0].stages[2].id");
  });

  it("quotes keys that are not identifiers", () => {
    expect(formatIssuePath(["env", "MY-VAR"])).toBe('env["MY-VAR"]');
    expect(formatIssuePath(["$schema"])).toBe("$schema");
  });

  it("is empty for the root", () => {
    expect(formatIssuePath([])).toBe("");
  });
});

import { describe, expect, it } from "vitest";
import { refuseRepeatedOptions } from "./repeated-options.js";

describe("refuseRepeatedOptions", () => {
  it("names the first option given more than once", () => {
    expect(() => refuseRepeatedOptions({ _: ["status"], run: ["a", "a"], $0: "x" })).toThrow(
      "--run given more than once",
    );
    expect(() => refuseRepeatedOptions({ _: [], approvalPolicy: ["a", "b"] })).toThrow(
      "--approval-policy given more than once",
    );
    expect(() => refuseRepeatedOptions({ _: [], h: [true, true] })).toThrow("-h given more than once");
  });

  it("lets single options and positionals through", () => {
    expect(() =>
      refuseRepeatedOptions({ _: ["start", "ci"], format: "json", concurrency: 2, $0: "x" }),
    ).not.toThrow();
  });
});

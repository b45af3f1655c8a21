import { describe, expect, test } from "vitest";
import { resolveOtlpTarget } from "../src/otlp-target.js";
import { deriveSpanId, deriveTraceId } from "../src/trace-ids.js";

describe("trace ids", () => {
  test("follow from the run and stage ids, in OpenTelemetry's shape", () => {
    expect(deriveTraceId("run-1")).toMatch(/^[0-9a-f]{32}$/);
    expect(deriveTraceId("run-1")).toBe(deriveTraceId("run-1"));
    expect(deriveTraceId("run-1")).not.toBe(deriveTraceId("run-2"));
    expect(deriveSpanId("run-1")).toMatch(/^[0-9a-f]{16}$/);
    expect(
      new Set([deriveSpanId("run-1"), deriveSpanId("run-1", "a"), deriveSpanId("run-1", "b")]).size,
    ).toBe(3);
  });
});

describe("where traces go", () => {
  test("the traces variable as given, else the base variable, else the config, else localhost", () => {
    expect(
      resolveOtlpTarget({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://t.example/x" }, "http://c:1").url,
    ).toBe("https://t.example/x");
    expect(resolveOtlpTarget({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://e:4318/" }, "http://c:1").url).toBe(
      "http://e:4318/v1/traces",
    );
    expect(resolveOtlpTarget({}, "http://c:1").url).toBe("http://c:1/v1/traces");
    expect(resolveOtlpTarget({}).url).toBe("http://localhost:4318/v1/traces");
  });

  test("headers from the OTLP variables, URL-decoded, the traces ones winning", () => {
    const target = resolveOtlpTarget({
      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=abc%20def,x-other=1,broken",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-other=2",
    });
    expect(target.headers).toEqual({ "x-honeycomb-team": "abc def", "x-other": "2" });
  });
});

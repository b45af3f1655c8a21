/** Where traces go and with which headers (an API key, for instance). */
export interface OtlpTarget {
  url: string;
  headers: Record<string, string>;
}

/** The OTLP/HTTP default when nothing names an endpoint. */
export const DEFAULT_OTLP_ENDPOINT = "http://localhost:4318";

/**
 * The traces endpoint, by the OpenTelemetry variables first (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
 * as given, `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`), then the config's `otel.endpoint` (a
 * base, like the variable); headers from `OTEL_EXPORTER_OTLP_HEADERS` and `…_TRACES_HEADERS`.
 */
export function resolveOtlpTarget(env: NodeJS.ProcessEnv, configEndpoint?: string): OtlpTarget {
  const tracesEndpoint = env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]?.trim();
  const base = env["OTEL_EXPORTER_OTLP_ENDPOINT"]?.trim() || configEndpoint?.trim() || DEFAULT_OTLP_ENDPOINT;
  const url = tracesEndpoint || `${base.replace(/\/+$/, "")}/v1/traces`;
  return {
    url,
    headers: {
      ...parseHeaders(env["OTEL_EXPORTER_OTLP_HEADERS"]),
      ...parseHeaders(env["OTEL_EXPORTER_OTLP_TRACES_HEADERS"]),
    },
  };
}

// `key1=value1,key2=value2`, values URL-encoded (the OpenTelemetry exporter specification).
function parseHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (value ?? "").split(",")) {
    const separator = pair.indexOf("=");
    if (separator <= 0) continue;
    const key = pair.slice(0, separator).trim();
    try {
      headers[key] = decodeURIComponent(pair.slice(separator + 1).trim());
    } catch {
      headers[key] = pair.slice(separator + 1).trim();
    }
  }
  return headers;
}

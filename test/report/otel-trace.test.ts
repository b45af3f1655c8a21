import { createServer, type IncomingMessage, type Server } from "node:http";
import net from "node:net";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  buildRunSpans,
  deriveTraceId,
  InMemorySpanExporter,
  sendSpans,
} from "../../packages/otel/src/index.js";
import { readRunView } from "../../packages/report/src/index.js";
import { runCliJson, spawnCli } from "../helpers/cli.js";
import { command, pipeline, tempRepo } from "../helpers/repo.js";

// Runs of the built CLI as OpenTelemetry traces: the spans the SDK builds (in-memory exporter),
// a real OTLP/HTTP export to a receiver on 127.0.0.1, and collectors that cannot be reached.
interface StartJson {
  run_id: string;
  status: string;
  artifact_root: string;
  exit_code: number;
}

interface Manifest {
  started_at: string;
  completed_at: string;
  commands: {
    id: string;
    started_at: string | null;
    completed_at: string | null;
    sub_run_id: string | null;
  }[];
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number };
}

const servers: Server[] = [];

// The receivers live in this process: the CLI must run asynchronously so that they can answer.
function runCliAsync(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawnCli(root, args, { env });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve) =>
    child.on("close", (status) => resolve({ status, stdout, stderr, ms: Date.now() - started })),
  );
}
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function nestedRepo(): string {
  return tempRepo({
    pipelines: [
      pipeline("inner", [command("inner-step", "echo child")]),
      pipeline("outer", [
        command("prepare", "echo prepare"),
        { kind: "subpipeline", id: "nested", title: "Nested", pipeline: "inner" },
        command("flaky", "exit 4", { retries: 1, retryBackoffSeconds: 0 }),
      ]),
    ],
  });
}

async function receiver(): Promise<{ url: string; bodies: { path: string; body: string }[] }> {
  const bodies: { path: string; body: string }[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      bodies.push({ path: request.url ?? "", body });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, bodies };
}

function spansOf(body: string): OtlpSpan[] {
  const data = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
  return data.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
}

function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
}

function nanos(timestamp: string): bigint {
  return BigInt(Date.parse(timestamp)) * 1_000_000n;
}

describe("OpenTelemetry traces of runs", () => {
  test("the SDK's spans: the run as root, stages beneath, the child run under its stage", async () => {
    const root = nestedRepo();
    const { json: run } = runCliJson<StartJson>(root, ["start", "outer", "--task", "t1"]);
    expect(run.status).toBe("failed");
    const view = readRunView(path.join(root, run.artifact_root));
    const exporter = new InMemorySpanExporter();
    await sendSpans(buildRunSpans(view), exporter, { timeoutMs: 1000 });
    // The in-memory exporter is the SDK's own: what it holds is what an OTLP exporter is handed.
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((span) => [span.name, span]));
    expect([...byName.keys()].sort()).toEqual(
      ["run inner", "run outer", "stage flaky", "stage inner-step", "stage nested", "stage prepare"].sort(),
    );
    const traceId = deriveTraceId(run.run_id);
    expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(new Set([traceId]));
    const rootSpan = byName.get("run outer")!;
    expect(rootSpan.parentSpanContext).toBeUndefined();
    const rootId = rootSpan.spanContext().spanId;
    for (const name of ["stage prepare", "stage nested", "stage flaky"])
      expect(byName.get(name)!.parentSpanContext?.spanId).toBe(rootId);
    expect(byName.get("run inner")!.parentSpanContext?.spanId).toBe(
      byName.get("stage nested")!.spanContext().spanId,
    );
    expect(byName.get("stage inner-step")!.parentSpanContext?.spanId).toBe(
      byName.get("run inner")!.spanContext().spanId,
    );
    const flaky = byName.get("stage flaky")!;
    expect(flaky.attributes).toMatchObject({
      "codex.run.id": run.run_id,
      "codex.task.id": "t1",
      "codex.pipeline.id": "outer",
      "codex.stage.id": "flaky",
      "codex.stage.status": "failed",
      "codex.stage.exit_code": 4,
      "codex.stage.attempt": 2,
      "process.exit.code": 4,
    });
    expect(flaky.events.filter((event) => event.name === "attempt")).toHaveLength(2);
    expect(rootSpan.attributes["codex.run.status"]).toBe("failed");
    expect(rootSpan.status.code).toBe(2);
    // Building the same run again gives the same ids: a second export updates the same trace.
    const again = buildRunSpans(readRunView(path.join(root, run.artifact_root)));
    expect(again.map((span) => span.spanContext().spanId).sort()).toEqual(
      spans.map((span) => span.spanContext().spanId).sort(),
    );
  });

  test("a run exports itself over OTLP/HTTP when it ends; export-otel sends the same trace again", async () => {
    const { url, bodies } = await receiver();
    const root = nestedRepo();
    const started = await runCliAsync(root, ["start", "outer", "--task", "t1", "--format", "json"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: url,
    });
    expect(started.status).toBe(1);
    expect(started.stderr).not.toContain("trace");
    const run = JSON.parse(started.stdout) as StartJson;
    // Only the top-level run exports: its child run is inside its trace.
    expect(bodies.map((entry) => entry.path)).toEqual(["/v1/traces"]);
    const spans = spansOf(bodies[0]!.body);
    const runId = run.run_id;
    const manifest = JSON.parse(
      readFileSync(path.join(root, run.artifact_root, "manifest.json"), "utf8"),
    ) as Manifest;
    const rootSpan = spans.find((span) => span.name === "run outer")!;
    expect(rootSpan.traceId).toBe(deriveTraceId(runId));
    expect(rootSpan.parentSpanId ?? "").toBe("");
    expect(BigInt(rootSpan.startTimeUnixNano)).toBe(nanos(manifest.started_at));
    expect(BigInt(rootSpan.endTimeUnixNano)).toBe(nanos(manifest.completed_at));
    const prepare = spans.find((span) => span.name === "stage prepare")!;
    expect(prepare.parentSpanId).toBe(rootSpan.spanId);
    const entry = manifest.commands.find((command) => command.id === "prepare")!;
    expect(BigInt(prepare.startTimeUnixNano)).toBe(nanos(entry.started_at!));
    expect(BigInt(prepare.endTimeUnixNano)).toBe(nanos(entry.completed_at!));
    expect(attribute(prepare, "codex.stage.status")).toBe("succeeded");
    expect(attribute(prepare, "codex.run.id")).toBe(runId);
    const nested = spans.find((span) => span.name === "stage nested")!;
    expect(spans.find((span) => span.name === "run inner")!.parentSpanId).toBe(nested.spanId);
    expect(spans.every((span) => span.traceId === rootSpan.traceId)).toBe(true);

    const exported = await runCliAsync(root, ["export-otel", runId, "--endpoint", url, "--format", "json"]);
    expect(exported.status).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ trace_id: rootSpan.traceId, spans: 6 });
    expect(bodies).toHaveLength(2);
    const second = spansOf(bodies[1]!.body);
    expect(second.map((span) => span.spanId).sort()).toEqual(spans.map((span) => span.spanId).sort());
  });

  test("a closed port or a collector that never answers costs at most about a second and changes nothing", async () => {
    const root = tempRepo({ pipelines: [pipeline("fails", [command("boom", "echo boom; exit 5")])] });
    const timed = (env: NodeJS.ProcessEnv) => runCliAsync(root, ["start", "fails", "--task", "t1"], env);
    const baseline = await timed({});
    expect(baseline.status).toBe(1);

    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const closed = await timed({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}` });
    expect(closed.status).toBe(1);
    expect(closed.stderr).toMatch(/warning: Could not export the run's trace/);
    expect(closed.ms - baseline.ms).toBeLessThan(1_800);

    const silent = createServer(() => {
      // Takes the request and never answers.
    });
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const hanging = await timed({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
    });
    expect(hanging.status).toBe(1);
    expect(hanging.stderr).toMatch(/warning: Could not export the run's trace: .*1000 ms/);
    expect(hanging.ms - baseline.ms).toBeLessThan(1_800);
  });
});

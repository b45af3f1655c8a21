#!/usr/bin/env node
// Compiles the engine's native helpers (addon.h) into build/codex-native.node: the stage launcher
// (spawn.c), the output pump (output-pump.c, with json-escape.c and redact.c) and the reader of
// output for listeners (pipe-reader.c). Optional by design: without Linux, a C compiler or Node's
// headers the engine starts stages with Node's own spawn and handles output in JavaScript, which
// behave the same and cost more (docs/performance.md). Exits 0 either way unless --strict is given.
// Honours CC and npm_config_nodedir.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const sources = ["addon.c", "spawn.c", "json-escape.c", "pipe-reader.c", "redact.c", "output-pump.c"].map(
  (file) => path.join(here, file),
);
const output = path.join(here, "build", "codex-native.node");
const strict = process.argv.includes("--strict");

function skip(reason) {
  fs.rmSync(output, { force: true });
  const message = `@codex/orchestrator-core: native helpers not built (${reason}); stages start with Node's spawn`;
  if (strict) {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

function nodeHeaders() {
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, "include", "node"),
    path.resolve(path.dirname(process.execPath), "..", "include", "node"),
  ].filter(Boolean);
  return candidates.find(
    (dir) => fs.existsSync(path.join(dir, "node_api.h")) && fs.existsSync(path.join(dir, "uv.h")),
  );
}

if (process.platform !== "linux") skip(`${process.platform} is not Linux`);
const headers = nodeHeaders();
if (headers === undefined) skip("Node's C headers (include/node) were not found");

// Written next to its final name and renamed, so a process loading it never sees half a file.
fs.mkdirSync(path.dirname(output), { recursive: true });
const partial = `${output}.${process.pid}.tmp`;
const compiler = process.env.CC || "cc";
const result = spawnSync(
  compiler,
  [
    "-O2",
    "-std=gnu11",
    "-Wall",
    "-Wextra",
    "-fPIC",
    "-shared",
    "-I",
    headers,
    "-o",
    partial,
    ...sources,
    "-lpthread",
  ],
  { stdio: ["ignore", "inherit", "inherit"] },
);
if (result.error !== undefined || result.status !== 0) {
  fs.rmSync(partial, { force: true });
  skip(result.error ? `${compiler}: ${result.error.message}` : `${compiler} exited with ${result.status}`);
}
fs.renameSync(partial, output);

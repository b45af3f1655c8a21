// The least a run must do with a stage's output, as a bare script: the floor the `output` scenario
// reports beside the orchestrator. `node output-floor.mjs <dir> <shell command>` runs the command
// and, as a run does, reads its stdout from a pipe, decodes it, escapes each chunk into a JSON line
// (`command:stdout`, timestamp, index), and on a second thread writes every line to two files (the
// stage's log and runner.ndjson) and feeds each file's bytes to its own sha256 (the hash chains).
// Nothing else: no redaction, no `prev` fields, no run folder, no manifest, no CLI to load.
import { spawn } from "node:child_process";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { Worker } from "node:worker_threads";

const [dir, command] = process.argv.slice(2);
const BATCH_BYTES = 1024 * 1024;

const writer = new Worker(
  `
  const { parentPort, workerData } = require("node:worker_threads");
  const crypto = require("node:crypto");
  const fs = require("node:fs");
  const files = workerData.files.map((file) => ({ fd: fs.openSync(file, "w"), hash: crypto.createHash("sha256") }));
  parentPort.on("message", (message) => {
    if (message === "end") {
      for (const file of files) { file.hash.digest("hex"); fs.closeSync(file.fd); }
      parentPort.postMessage("done");
      return;
    }
    const bytes = Buffer.from(message);
    for (const file of files) { file.hash.update(bytes); fs.writeSync(file.fd, bytes); }
  });
  `,
  { eval: true, workerData: { files: [path.join(dir, "stage.ndjson"), path.join(dir, "runner.ndjson")] } },
);

// The engine's escaping of long text (telemetry, json-string.ts): replaceAll per character present.
const ESCAPES = [
  ["\\", "\\\\"],
  ['"', '\\"'],
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\t", "\\t"],
];
function jsonString(text) {
  let escaped = text;
  for (const [character, replacement] of ESCAPES)
    if (escaped.includes(character)) escaped = escaped.replaceAll(character, replacement);
  return `"${escaped}"`;
}

let batch = Buffer.allocUnsafeSlow(4 * BATCH_BYTES);
let length = 0;
function send() {
  if (length === 0) return;
  // The batch's memory moves to the thread, as the engine's batches do.
  writer.postMessage(batch.subarray(0, length), [batch.buffer]);
  batch = Buffer.allocUnsafeSlow(4 * BATCH_BYTES);
  length = 0;
}

const decoder = new StringDecoder("utf8");
const child = spawn("sh", ["-c", command], { stdio: ["ignore", "pipe", "inherit"], detached: true });
child.stdout.on("data", (chunk) => {
  const line = `{"type":"command:stdout","data":${jsonString(decoder.write(chunk))},"timestamp":"${new Date().toISOString()}","index":1}\n`;
  length += batch.write(line, length, "utf8");
  if (length >= BATCH_BYTES) send();
});
child.on("close", (code) => {
  send();
  writer.postMessage("end");
  writer.on("message", () => process.exit(code ?? 1));
});

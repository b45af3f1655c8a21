import { createPublicKey, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CodexOrchestrator } from "@codex/orchestrator-core";
import { listTaskIds } from "@codex/orchestrator-persistence";
import { ATTESTATIONS_DIR, verifyRun, type RunVerification } from "@codex/orchestrator-schema/evidence";
import { UsageError } from "../errors.js";
import { runIdFrom } from "../usage/run-id-argument.js";
import { createPainter, printJson } from "../terminal.js";
import { rootOptions } from "../usage/root-option.js";

/** `verify [run-id] [--key <public.pem>] [--format json]`: 0 when everything holds, 1 when not. */
export async function runVerify(argv: {
  runId?: string | undefined;
  run?: string | undefined;
  key?: string | undefined;
  format: string;
  root?: string | undefined;
}): Promise<number> {
  const runId = runIdFrom(argv);
  const publicKey = argv.key === undefined ? undefined : readPublicKey(argv.key);
  const result = verifyRun(await findRunFolder(new CodexOrchestrator(rootOptions(argv)), runId), {
    publicKey,
  });
  if (argv.format === "json") printJson(result);
  else process.stdout.write(renderVerification(result));
  return result.ok ? 0 : 1;
}

// A run whose manifest was deleted is still found by its folder, so the deletion is reported.
async function findRunFolder(orchestrator: CodexOrchestrator, runId: string): Promise<string> {
  try {
    return (await orchestrator.findRun(runId, "the run-id argument")).runDir;
  } catch (error) {
    const { locations } = orchestrator;
    const folder = listTaskIds(locations)
      .map((taskId) => path.join(locations.runsDir, taskId, "cli", runId))
      .find(
        (candidate) =>
          fs.lstatSync(candidate, { throwIfNoEntry: false })?.isDirectory() === true &&
          fs.existsSync(path.join(candidate, ATTESTATIONS_DIR)),
      );
    if (folder === undefined) throw error;
    return folder;
  }
}

function readPublicKey(file: string): KeyObject {
  let text: Buffer;
  try {
    text = fs.readFileSync(file);
  } catch (error) {
    throw new UsageError(
      `--key ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== "ed25519") throw new Error("not Ed25519");
    return key;
  } catch {
    throw new UsageError(`--key ${file}: not an Ed25519 public key in PEM form`);
  }
}

/** The text report: a verdict line per run, then what failed and what a reviewer should know. */
export function renderVerification(result: RunVerification, depth = 0): string {
  const paint = createPainter(process.stdout);
  const indent = "  ".repeat(depth);
  const attestation = result.attestation;
  const against =
    attestation === null
      ? ""
      : ` (attestation ${attestation.file}, ${attestation.subjects} files, key ${attestation.key_id.slice(0, 23)}…${attestation.key === "given" ? ", the given key" : ", the key it records: pass --key to check whose it is"})`;
  let text = `${indent}${depth === 0 ? "Run" : "Child run"} ${result.run_id}: ${result.ok ? paint.green("verified") : paint.red("NOT verified")}${against}\n`;
  for (const problem of result.problems)
    text += `${indent}  ${paint.red("✗")} ${problem.file}: ${problem.problem}\n`;
  for (const note of result.notes) text += `${indent}  ${paint.dim(`note: ${note}`)}\n`;
  for (const child of result.children) text += renderVerification(child, depth + 1);
  return text;
}

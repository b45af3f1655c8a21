import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ensureDirectoryInside } from "@codex/orchestrator-persistence";
import { CacheEntryError } from "../errors.js";
import type { CacheEntryMeta, LogChunk, StoredOutput } from "./cache-store.js";
import { digestFile } from "./file-digests.js";
import { outputPathInside } from "./output-paths.js";

/**
 * Restores an entry's outputs under `root` and returns its log. Nothing is written before every
 * digest (outputs and log) has been checked; files and links are then written under temporary
 * names beside their destination and renamed into place, so an interrupted restore never leaves
 * half a file where an output belongs.
 */
export async function restoreEntry(
  entryDir: string,
  meta: CacheEntryMeta,
  root: string,
): Promise<LogChunk[]> {
  const targets = meta.outputs.map((output) => ({ output, file: outputPathInside(root, output.path) }));
  const blobs = new Map<StoredOutput, string>();
  meta.outputs.forEach((output, position) => {
    if (output.type === "file") blobs.set(output, path.join(entryDir, "files", String(position)));
  });
  for (const [output, blob] of blobs) await verifyBlob(blob, output);
  const log = await readLog(entryDir, meta);

  const temporary: { from: string; to: string }[] = [];
  const suffix = `.codex-restore-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    // Folders first, parents before children (sorted paths put a parent first).
    for (const { output, file } of targets) {
      if (output.type !== "directory") continue;
      await removeIfNotDirectory(file);
      ensureInside(file, root);
      await fs.promises.chmod(file, output.mode);
    }
    for (const { output, file } of targets) {
      if (output.type === "directory") continue;
      ensureInside(path.dirname(file), root);
      const staged = `${file}${suffix}`;
      temporary.push({ from: staged, to: file });
      if (output.type === "symlink") await fs.promises.symlink(output.target ?? "", staged);
      else {
        await fs.promises.copyFile(blobs.get(output) as string, staged);
        await fs.promises.chmod(staged, output.mode);
      }
    }
    for (const { from, to } of temporary) {
      await removeIfDirectory(to);
      await fs.promises.rename(from, to);
    }
  } catch (error) {
    await Promise.all(temporary.map(({ from }) => fs.promises.rm(from, { force: true })));
    if (error instanceof CacheEntryError) throw error;
    throw new CacheEntryError(`could not restore the outputs of ${meta.key}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return log;
}

async function verifyBlob(blob: string, output: StoredOutput): Promise<void> {
  let digest: string;
  let size: number;
  try {
    size = (await fs.promises.stat(blob)).size;
    digest = await digestFile(blob);
  } catch (error) {
    throw new CacheEntryError(`cache entry is missing the stored copy of ${output.path}`, { cause: error });
  }
  if (size !== output.size || digest !== output.sha256)
    throw new CacheEntryError(
      `cache entry's copy of ${output.path} does not match its digest (truncated or changed)`,
    );
}

async function readLog(entryDir: string, meta: CacheEntryMeta): Promise<LogChunk[]> {
  let text: Buffer;
  try {
    text = await fs.promises.readFile(path.join(entryDir, "log.ndjson"));
  } catch (error) {
    throw new CacheEntryError(`cache entry ${meta.key} has no log`, { cause: error });
  }
  if (text.length !== meta.log.size || createHash("sha256").update(text).digest("hex") !== meta.log.sha256)
    throw new CacheEntryError(`cache entry ${meta.key}: its log does not match its digest`);
  const chunks: LogChunk[] = [];
  for (const line of text.toString("utf8").split("\n")) {
    if (line === "") continue;
    let chunk: LogChunk;
    try {
      chunk = JSON.parse(line) as LogChunk;
    } catch (error) {
      throw new CacheEntryError(`cache entry ${meta.key}: its log is not JSON lines`, { cause: error });
    }
    if ((chunk.stream !== "stdout" && chunk.stream !== "stderr") || typeof chunk.data !== "string")
      throw new CacheEntryError(`cache entry ${meta.key}: a log line is not stage output`);
    chunks.push({ stream: chunk.stream, data: chunk.data });
  }
  return chunks;
}

// A link planted where an output folder goes must not carry the restore elsewhere.
function ensureInside(directory: string, root: string): void {
  try {
    ensureDirectoryInside(directory, root);
  } catch (error) {
    throw new CacheEntryError(`refusing to restore into ${directory}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function removeIfNotDirectory(file: string): Promise<void> {
  const stat = await fs.promises.lstat(file).catch(() => null);
  if (stat !== null && !stat.isDirectory()) await fs.promises.rm(file, { force: true });
}

async function removeIfDirectory(file: string): Promise<void> {
  const stat = await fs.promises.lstat(file).catch(() => null);
  if (stat?.isDirectory() === true) await fs.promises.rm(file, { recursive: true, force: true });
}

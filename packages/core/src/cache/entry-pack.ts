import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { CachePutRequest, StoredOutput } from "./cache-store.js";
import { digestFile } from "./file-digests.js";
import { outputPathInside } from "./output-paths.js";
import { CACHE_FORMAT_VERSION } from "./stage-key.js";

/**
 * Writes a success into `directory` (a fresh temporary folder): each output file copied to
 * `files/<n>` with its digest and mode, folders and links (their target, never followed)
 * described in `entry.json`, and the stage's log as `log.ndjson`. `entry.json` is written last.
 */
export async function packEntry(directory: string, request: CachePutRequest): Promise<number> {
  await fs.promises.mkdir(path.join(directory, "files"), { recursive: true });
  const outputs: StoredOutput[] = [];
  let size = 0;
  for (const relative of [...request.outputs].sort()) {
    const file = outputPathInside(request.root, relative);
    const stat = await fs.promises.lstat(file);
    const mode = stat.mode & 0o7777;
    if (stat.isSymbolicLink()) {
      outputs.push({
        path: relative,
        type: "symlink",
        mode,
        size: 0,
        sha256: null,
        target: await fs.promises.readlink(file),
      });
    } else if (stat.isDirectory()) {
      outputs.push({ path: relative, type: "directory", mode, size: 0, sha256: null, target: null });
    } else if (stat.isFile()) {
      const blob = path.join(directory, "files", String(outputs.length));
      await fs.promises.copyFile(file, blob);
      // The digest is of the copy: what a restore will check against.
      const copied = await fs.promises.stat(blob);
      outputs.push({
        path: relative,
        type: "file",
        mode,
        size: copied.size,
        sha256: await digestFile(blob),
        target: null,
      });
      size += copied.size;
    }
  }
  const log = Buffer.from(request.log.map((chunk) => `${JSON.stringify(chunk)}\n`).join(""), "utf8");
  await fs.promises.writeFile(path.join(directory, "log.ndjson"), log);
  size += log.length;
  const meta = {
    format: CACHE_FORMAT_VERSION,
    key: request.key,
    created_at: new Date().toISOString(),
    source: request.source,
    fingerprint: request.fingerprint,
    outputs,
    log: { sha256: createHash("sha256").update(log).digest("hex"), size: log.length },
    size_bytes: size,
  };
  await fs.promises.writeFile(path.join(directory, "entry.json"), `${JSON.stringify(meta)}\n`);
  return outputs.length;
}

import { createHash } from "node:crypto";
import { lstatSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import path from "node:path";

/**
 * A comparable picture of a directory tree: every entry with its type, and for a file its size,
 * mtime and a hash of its bytes (for a link, its target). Equal pictures mean nothing was created,
 * removed, touched or rewritten.
 */
export function snapshotTree(directory: string): string[] {
  const entries: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const relative = path.relative(directory, full);
      if (entry.isDirectory()) {
        entries.push(`d ${relative}`);
        walk(full);
      } else if (entry.isSymbolicLink()) {
        entries.push(`l ${relative} ${readlinkSync(full)}`);
      } else {
        const stat = lstatSync(full);
        const hash = createHash("sha256").update(readFileSync(full)).digest("hex");
        entries.push(`f ${relative} ${stat.size} ${stat.mtimeMs} ${hash}`);
      }
    }
  };
  walk(directory);
  return entries.sort();
}

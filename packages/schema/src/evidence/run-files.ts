import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ATTESTATIONS_DIR } from "./attestation.js";

const ATTESTATION_FILE = /^(\d{2,})\.dsse\.json$/;

/** The file of a run's `sequence`-th attestation, from the run folder: `attestations/01.dsse.json`. */
export function attestationFileName(sequence: number): string {
  return `${ATTESTATIONS_DIR}/${String(sequence).padStart(2, "0")}.dsse.json`;
}

/** A run's attestations, oldest first, as paths from the run folder with their sequence number. */
export function listAttestations(runDir: string): Array<{ name: string; sequence: number }> {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(runDir, ATTESTATIONS_DIR));
  } catch {
    return [];
  }
  return names
    .flatMap((name) => {
      const match = ATTESTATION_FILE.exec(name);
      return match === null ? [] : [{ name: `${ATTESTATIONS_DIR}/${name}`, sequence: Number(match[1]) }];
    })
    .sort((left, right) => left.sequence - right.sequence);
}

/** sha256 (hex) of a file, read in 1 MiB pieces. */
export function sha256File(file: string): string {
  const hash = createHash("sha256");
  const descriptor = fs.openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const read = fs.readSync(descriptor, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    fs.closeSync(descriptor);
  }
  return hash.digest("hex");
}

/** Left out of a run's subjects: the owner's lock (gone once it ends) and half-written temp files. */
export function isTransientRunFile(name: string): boolean {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return base.startsWith(".owner.lock") || base.endsWith(".tmp");
}

/** Every regular file under a run folder, as sorted forward-slash paths from it. */
export function listRunFiles(runDir: string): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    const entries = fs.readdirSync(path.join(runDir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const name = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(name);
      else if (entry.isFile() && !isTransientRunFile(name)) files.push(name);
    }
  };
  walk("");
  return files.sort();
}

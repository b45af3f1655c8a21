import { spawn } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";

const CORE = pathToFileURL(path.resolve(import.meta.dirname, "../../packages/core/dist/index.js")).href;

// One process loading (and, the first time, creating) the repository's signing key.
function loadKey(runsDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `const { loadSigningKey } = await import(${JSON.stringify(CORE)});
process.stdout.write(loadSigningKey({ env: {}, runsDir: ${JSON.stringify(runsDir)} }).keyId);`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the repository's signing key, created by runs starting at once", () => {
  it("is created once: every run reads the same whole key, and the public file matches it", async () => {
    for (let round = 0; round < 4; round += 1) {
      const runsDir = path.join(tempDir(), ".runs");
      fs.mkdirSync(runsDir);
      const results = await Promise.all(Array.from({ length: 12 }, () => loadKey(runsDir)));
      expect(
        results.map((result) => result.code),
        results.map((result) => result.stderr).join("\n"),
      ).toEqual(Array(12).fill(0));
      expect(new Set(results.map((result) => result.stdout)).size).toBe(1);
      const keys = path.join(runsDir, ".keys");
      const privateKey = createPrivateKey(fs.readFileSync(path.join(keys, "attestation-ed25519.pem")));
      expect(fs.readFileSync(path.join(keys, "attestation-ed25519.pub.pem"), "utf8")).toBe(
        createPublicKey(privateKey).export({ type: "spki", format: "pem" }),
      );
      expect(fs.statSync(path.join(keys, "attestation-ed25519.pem")).mode & 0o777).toBe(0o600);
      // No temporary file is left behind.
      expect(fs.readdirSync(keys).sort()).toEqual(["attestation-ed25519.pem", "attestation-ed25519.pub.pem"]);
    }
  });
});

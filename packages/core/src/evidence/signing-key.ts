import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ensureDirectoryInside, writeFileAtomic } from "@codex/orchestrator-persistence";
import { keyFingerprint } from "@codex/orchestrator-schema/evidence";
import { SigningKeyError } from "../errors.js";

/** The variable naming a PEM file with the Ed25519 private key that signs attestations. */
export const SIGNING_KEY_VARIABLE = "CODEX_ORCHESTRATOR_SIGNING_KEY";
/** Where the repository's own key lives, under the runs directory (never inside a run folder). */
export const REPOSITORY_KEY_DIR = ".keys";
const PRIVATE_KEY_FILE = "attestation-ed25519.pem";
const PUBLIC_KEY_FILE = "attestation-ed25519.pub.pem";

/** The key that signs a run's attestations. */
export interface SigningKey {
  privateKey: KeyObject;
  /** PEM (SPKI), recorded in each attestation. */
  publicKeyPem: string;
  keyId: string;
  source: "env" | "repository";
  /** Where the public key is, for reviewers (the repository key only). */
  publicKeyPath: string | null;
}

/**
 * The signing key: the PEM file `CODEX_ORCHESTRATOR_SIGNING_KEY` names, else this repository's
 * key under `<runs>/.keys/`, created on first use (private key mode 0600). Errors never quote key
 * material, only paths.
 */
export function loadSigningKey(options: { env: NodeJS.ProcessEnv; runsDir: string }): SigningKey {
  const named = options.env[SIGNING_KEY_VARIABLE];
  if (named !== undefined && named !== "") return fromFile(path.resolve(named), "env", null);
  const directory = path.join(options.runsDir, REPOSITORY_KEY_DIR);
  const privatePath = path.join(directory, PRIVATE_KEY_FILE);
  const publicPath = path.join(directory, PUBLIC_KEY_FILE);
  if (!fs.existsSync(privatePath)) createRepositoryKey(options.runsDir, directory, privatePath, publicPath);
  return fromFile(privatePath, "repository", publicPath);
}

function createRepositoryKey(
  runsDir: string,
  directory: string,
  privatePath: string,
  publicPath: string,
): void {
  ensureDirectoryInside(directory, runsDir);
  const { privateKey } = generateKeyPairSync("ed25519");
  // Written whole under a name of its own, then linked into place: a concurrent run never reads a
  // half-written key, and when two runs create one at once the first link wins (EEXIST for the other).
  const temporary = `${privatePath}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    fs.writeFileSync(temporary, privateKey.export({ type: "pkcs8", format: "pem" }) as string, {
      mode: 0o600,
      flag: "wx",
    });
    fs.linkSync(temporary, privatePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST")
      throw new SigningKeyError(`Could not create the signing key ${privatePath}`, error);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  // The public half of the key that won, ours or a concurrent run's: the two files always match.
  const winner = createPrivateKey(fs.readFileSync(privatePath));
  writeFileAtomic(publicPath, createPublicKey(winner).export({ type: "spki", format: "pem" }) as string);
}

function fromFile(file: string, source: SigningKey["source"], publicKeyPath: string | null): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(fs.readFileSync(file));
  } catch (error) {
    throw new SigningKeyError(
      `Could not read an Ed25519 private key (PEM) from ${file}${source === "env" ? ` (${SIGNING_KEY_VARIABLE})` : ""}`,
      error,
    );
  }
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new SigningKeyError(
      `The signing key ${file} is ${privateKey.asymmetricKeyType ?? "not asymmetric"}, not Ed25519`,
      null,
    );
  const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }) as string;
  return { privateKey, publicKeyPem, keyId: keyFingerprint(privateKey), source, publicKeyPath };
}

import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import type { DsseEnvelope } from "./dsse-envelope.js";

/** DSSE's pre-authentication encoding: what is signed, so the type cannot be swapped. */
export function preAuthenticationEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, "utf8"),
    type,
    Buffer.from(` ${payload.length} `, "utf8"),
    payload,
  ]);
}

/** The fingerprint a public key is known by: `sha256:` and the hex digest of its SPKI DER form. */
export function keyFingerprint(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  const der = publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(der).digest("hex")}`;
}

/** Signs `payload` with an Ed25519 private key into a DSSE envelope whose keyid is the key's fingerprint. */
export function signEnvelope(options: {
  payloadType: string;
  payload: Buffer;
  privateKey: KeyObject;
}): DsseEnvelope {
  const signed = preAuthenticationEncoding(options.payloadType, options.payload);
  return {
    payloadType: options.payloadType,
    payload: options.payload.toString("base64"),
    signatures: [
      {
        keyid: keyFingerprint(options.privateKey),
        sig: sign(null, signed, options.privateKey).toString("base64"),
      },
    ],
  };
}

/** True when one of the envelope's signatures is `publicKey`'s over its payload. */
export function verifyEnvelope(envelope: DsseEnvelope, publicKey: KeyObject): boolean {
  const signed = preAuthenticationEncoding(envelope.payloadType, Buffer.from(envelope.payload, "base64"));
  return envelope.signatures.some((signature) => {
    try {
      return verify(null, signed, publicKey, Buffer.from(signature.sig, "base64"));
    } catch {
      return false;
    }
  });
}

import * as z from "zod";

/** The DSSE payload type of an in-toto Statement. */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/** A DSSE envelope (https://github.com/secure-systems-lab/dsse): the payload and its signatures. */
export const DsseEnvelope = z.object({
  payloadType: z.string().min(1),
  /** The payload, base64. */
  payload: z.string(),
  signatures: z.array(z.looseObject({ keyid: z.string().optional(), sig: z.string().min(1) })).min(1),
});
/** A DSSE envelope. */
export type DsseEnvelope = z.infer<typeof DsseEnvelope>;

import { UsageError } from "../errors.js";

// Digits only: Number() would also take "1e3", "0x10", " 2" or "2.0".
const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

/** `--concurrency <n>`: how many stages may run at once, a positive integer given once. */
export function parseConcurrency(value: unknown): number {
  if (Array.isArray(value)) throw new UsageError("--concurrency given more than once");
  const text = String(value);
  const count = Number(text);
  if (!POSITIVE_INTEGER.test(text) || !Number.isSafeInteger(count)) {
    throw new UsageError(`--concurrency must be a positive whole number (got ${JSON.stringify(text)})`);
  }
  return count;
}

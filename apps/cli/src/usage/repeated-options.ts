import { UsageError } from "../errors.js";

/**
 * yargs middleware, run before any command: an option given twice (`--run a --run b`) reaches a
 * command as an array, which none of them takes. Refused with one line naming the flag, exit 2,
 * before anything is read or written.
 */
export function refuseRepeatedOptions(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    if (key === "_" || key === "$0" || !Array.isArray(value)) continue;
    const flag = key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
    throw new UsageError(`${flag.length === 1 ? "-" : "--"}${flag} given more than once`);
  }
}

import os from "node:os";
import { ActorUnknownError } from "../errors.js";

/**
 * Who approves, rejects, resumes or starts: the explicit actor, else the operating system's user
 * name, else `USER` / `LOGNAME` / `USERNAME` (a container user without a passwd entry). Every
 * path that records a person (the `approve` command, the prompt at a gate, `resume`, a run's
 * start) asks this one function, so the same person is recorded the same way everywhere.
 */
export function resolveActor(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): string {
  const given = explicit?.trim();
  if (given !== undefined && given !== "") return given;
  const candidates = [osUserName(), env.USER, env.LOGNAME, env.USERNAME];
  for (const candidate of candidates) {
    const name = candidate?.trim();
    if (name !== undefined && name !== "") return name;
  }
  throw new ActorUnknownError();
}

function osUserName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined; // no passwd entry for this uid
  }
}

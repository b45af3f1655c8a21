import os from "node:os";

/**
 * Who acts: the name given (`--actor`), else the OS user ($USER, $USERNAME, then the account);
 * null when none can be found. One rule for every command that records a person.
 */
export function resolveActor(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  for (const candidate of [explicit, env.USER, env.USERNAME]) {
    const name = candidate?.trim();
    if (name !== undefined && name !== "") return name;
  }
  try {
    const name = os.userInfo().username.trim();
    return name === "" ? null : name;
  } catch {
    return null;
  }
}

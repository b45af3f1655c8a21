import { spawnSync } from "node:child_process";

/** The environment for git in tests: the parent's, minus variables that would point git elsewhere. */
function gitEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("GIT_")) environment[key] = value;
  }
  return environment;
}

/** Runs `git <args>` in `cwd` and returns its trimmed stdout; throws with git's stderr on failure. */
export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync("git", args, { cwd, encoding: "utf8", env: gitEnvironment() });
  if (result.status !== 0) {
    throw new Error(`git ${args.join(" ")} failed in ${cwd}: ${result.stderr || result.error?.message}`);
  }
  return result.stdout.trim();
}

/** Makes `directory` a git repository with a local identity, so commits work on any machine. */
export function initGitRepository(directory: string): void {
  git(directory, "init", "--quiet", "--initial-branch=main");
  configureGitIdentity(directory);
}

/** Sets a local identity (and no signing) in an existing repository, e.g. a fresh clone. */
export function configureGitIdentity(directory: string): void {
  git(directory, "config", "user.email", "test@example.com");
  git(directory, "config", "user.name", "Test");
  git(directory, "config", "commit.gpgsign", "false");
}

/** Stages everything in `directory` and commits it. */
export function commitAll(directory: string, message: string): void {
  git(directory, "add", "--all");
  git(directory, "commit", "--quiet", "--no-verify", "-m", message);
}

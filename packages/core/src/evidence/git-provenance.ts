import { spawn } from "node:child_process";
import type { GitProvenance } from "@codex/orchestrator-schema";

// A git call that hangs (a network filesystem, a lock) must not hold up the run's start.
const GIT_TIMEOUT_MS = 3_000;
const GIT_OUTPUT_CAP_BYTES = 64 * 1024;

interface GitAnswer {
  ok: boolean;
  stdout: string;
  /** Lines of output, counted as it streams (kept text is capped). */
  lines: number;
}

/**
 * The repository's commit, branch, dirtiness and remote, from two git calls run in parallel
 * (`status --porcelain=v2 --branch` answers the first three at once); null outside a git
 * repository, or without git. Never throws.
 */
export async function readGitProvenance(cwd: string, env: NodeJS.ProcessEnv): Promise<GitProvenance | null> {
  const [status, remotes] = await Promise.all([
    runGit(cwd, env, ["status", "--porcelain=v2", "--branch", "--untracked-files=normal"]),
    runGit(cwd, env, ["config", "--get-regexp", "^remote\\..*\\.url$"]),
  ]);
  if (!status.ok) return null;
  const header = (name: string): string | null =>
    new RegExp(`^# branch\\.${name} (.+)$`, "m").exec(status.stdout)?.[1]?.trim() ?? null;
  const oid = header("oid");
  const head = header("head");
  // Every line that is not a `# branch.*` header is one changed, added, deleted or untracked path.
  const changed = status.lines - (status.stdout.match(/^# /gm)?.length ?? 0);
  return {
    commit: oid === null || oid === "(initial)" ? null : oid,
    branch: head === null || head === "(detached)" ? null : head,
    dirty: changed > 0,
    changed_files: changed,
    remote_url: remotes.ok ? pickRemote(remotes.stdout) : null,
  };
}

// `origin` when there is one, else the first remote; its URL without credentials.
function pickRemote(config: string): string | null {
  const entries = config
    .split("\n")
    .map((line) => /^remote\.(.+)\.url\s+(.+)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null);
  const chosen = entries.find((match) => match[1] === "origin") ?? entries[0];
  return chosen === undefined ? null : withoutCredentials(chosen[2] as string);
}

/**
 * A remote URL with any user name, password or token removed, and no query or fragment (where
 * tokens also hide). `git@host:path` keeps its `git` user, which is no secret; `user:token@host:path`
 * loses both.
 */
export function withoutCredentials(remote: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) {
    try {
      const url = new URL(remote);
      url.username = "";
      url.password = "";
      url.search = "";
      url.hash = "";
      return url.toString();
    } catch {
      return remote.replace(/\/\/[^/@]*@/, "//");
    }
  }
  const scp = /^([^@/]+)@([^:/]+):(.*)$/.exec(remote);
  if (scp !== null) return scp[1]?.includes(":") ? `${scp[2]}:${scp[3]}` : remote;
  return remote;
}

function runGit(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<GitAnswer> {
  return new Promise((resolve) => {
    let stdout = "";
    let lines = 0;
    let settled = false;
    const done = (answer: GitAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn("git", args, {
        cwd,
        env: { ...env, GIT_OPTIONAL_LOCKS: "0", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
        stdio: ["ignore", "pipe", "ignore"],
      });
    } catch {
      resolve({ ok: false, stdout: "", lines: 0 });
      return;
    }
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      done({ ok: false, stdout: "", lines: 0 });
    }, GIT_TIMEOUT_MS);
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      for (let at = chunk.indexOf("\n"); at !== -1; at = chunk.indexOf("\n", at + 1)) lines += 1;
      if (stdout.length < GIT_OUTPUT_CAP_BYTES) stdout += chunk;
    });
    child.on("error", () => done({ ok: false, stdout: "", lines: 0 }));
    child.on("close", (code) => done({ ok: code === 0, stdout, lines }));
  });
}

import { resolveActor, type ApprovalPrompt } from "@codex/orchestrator-core";

/** Asks at the terminal whether to approve a gate; null (pause) when not answered yes or no. */
export function createTerminalPrompt(env: NodeJS.ProcessEnv = process.env): ApprovalPrompt | undefined {
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) return undefined;
  return async (request) => {
    // Loaded only when a gate asks: most runs never do, and every run would pay for it.
    const readline = await import("node:readline/promises");
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
      if (request.instructions) process.stderr.write(`${request.instructions}\n`);
      const answer = (
        await rl.question(`Approve gate "${request.title}" (${request.stageId})? [y]es / [n]o / [p]ause: `)
      )
        .trim()
        .toLowerCase();
      if (answer !== "y" && answer !== "yes" && answer !== "n" && answer !== "no") return null;
      const reason = (await rl.question("Reason (optional): ")).trim();
      return {
        decision: answer.startsWith("y") ? "approved" : "rejected",
        actor: resolveActor(undefined, env),
        reason: reason === "" ? null : reason,
      };
    } finally {
      rl.close();
    }
  };
}

import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { assertCliBuilt, CLI_BIN, cliEnvironment } from "../helpers/cli.js";
import { command, pipeline, tempRepo } from "./support.js";

// The live view needs a real terminal: each test runs the built CLI in its own tmux server (a private
// socket) at 80×30 and reads the screen with capture-pane.

beforeAll(() => assertCliBuilt());

const SPINNER_LINE = /^\s*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /;

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

interface Terminal {
  read: () => string;
  type: (text: string) => void;
}

/** Starts the CLI in a fresh 80×30 terminal; returns functions reading its screen and typing into it. */
function startInTerminal(root: string, args: readonly string[], env: Record<string, string>): Terminal {
  const socket = `codex-orchestrator-test-${randomBytes(4).toString("hex")}`;
  const variables = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? root,
    TERM: "xterm-256color",
    CODEX_ORCHESTRATOR_ROOT: root,
    NO_COLOR: "1",
    ...env,
  };
  const commandLine = [
    "env -i",
    ...Object.entries(variables).map(([key, value]) => shellQuote(`${key}=${value}`)),
    shellQuote(process.execPath),
    shellQuote(CLI_BIN),
    ...args.map(shellQuote),
    "; echo EXIT:$?; sleep 600",
  ].join(" ");
  execFileSync("tmux", [
    "-L",
    socket,
    "-f",
    "/dev/null",
    "new-session",
    "-d",
    "-s",
    "run",
    "-x",
    "80",
    "-y",
    "30",
    "-c",
    root,
    commandLine,
  ]);
  onTestFinished(() => {
    execFileSync("tmux", ["-L", socket, "kill-server"]);
  });
  return {
    read: () => execFileSync("tmux", ["-L", socket, "capture-pane", "-p", "-t", "run"], { encoding: "utf8" }),
    type: (text) => execFileSync("tmux", ["-L", socket, "send-keys", "-t", "run", text, "Enter"]),
  };
}

async function waitForScreen(
  read: () => string,
  what: string,
  check: (screen: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const screen = read();
    if (check(screen)) return screen;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; the screen:\n${screen}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function slowRepo(): string {
  return tempRepo({
    pipelines: [
      {
        ...pipeline("slow", [
          command("tick", 'for i in 1 2 3 4 5 6; do echo "tick $i"; sleep 0.4; done'),
          command("wide", "printf 'x%.0s' $(seq 200); echo; sleep 2", { needs: [] }),
          command("after", "echo after", { needs: ["tick", "wide"] }),
        ]),
        concurrency: 2,
      },
    ],
  });
}

describe("the live view on a terminal", () => {
  it("redraws each running stage with its elapsed time and last line, then leaves the summary", async () => {
    const root = slowRepo();
    const { read } = startInTerminal(root, ["start", "slow"], {});
    const tickLine = (screen: string) => /^. \[1\] tick (\d+\.\d)s {2}tick (\d)$/m.exec(screen);

    const early = tickLine(
      await waitForScreen(read, "the tick stage", (screen) => tickLine(screen) !== null),
    );
    const later = await waitForScreen(read, "a later tick", (screen) => {
      const match = tickLine(screen);
      return match !== null && Number(match[2]) > Number(early?.[2]) && Number(match[1]) > Number(early?.[1]);
    });
    // Elapsed time and last line change in place: one line for the stage, never a second.
    expect(later.split("\n").filter((line) => /\[1\] tick/.test(line))).toHaveLength(1);
    const wide = later.split("\n").find((line) => /\[2\] wide/.test(line));
    expect(wide).toMatch(/^. \[2\] wide \d+\.\ds {2}x+…$/);
    expect(wide?.length).toBeLessThanOrEqual(79);
    expect(later).toMatch(/^2 running · \d+ done · \d+\.\ds$/m);

    const final = await waitForScreen(read, "the end", (screen) => screen.includes("EXIT:"));
    expect(final).toContain("EXIT:0");
    const shown = final.split("\n");
    expect(shown.filter((line) => SPINNER_LINE.test(line))).toEqual([]);
    expect(shown.filter((line) => / running · /.test(line))).toEqual([]);
    expect(final).toMatch(/^✔ \[1\] tick \d+\.\ds$/m);
    expect(final).toMatch(/^Summary: slow succeeded in \d+\.\ds$/m);
    expect(final).toMatch(/^ {2}3 stages: 3 succeeded · \d+\.\ds$/m);
    // The live view shows last lines only; output is not streamed below it by default.
    expect(final).not.toContain("[tick] tick");
  });

  it("streams plain lines instead with TERM=dumb or a width of 0", async () => {
    for (const env of [{ TERM: "dumb" }, { COLUMNS: "0" }]) {
      const root = slowRepo();
      const { read } = startInTerminal(root, ["start", "slow"], env);
      const final = await waitForScreen(read, "the end", (screen) => screen.includes("EXIT:"));
      expect(final, JSON.stringify(env)).toContain("EXIT:0");
      expect(final).toMatch(/^▶ \[1\] tick$/m);
      expect(final).toMatch(/^\[tick\] tick 6$/m);
      expect(final.split("\n").filter((line) => SPINNER_LINE.test(line))).toEqual([]);
    }
  });

  it("stops redrawing while a gate asks on the terminal, and goes on after the answer", async () => {
    const root = tempRepo({
      pipelines: [
        {
          ...pipeline("gated", [
            command("slow", "sleep 1.5; echo slow done", { needs: [] }),
            {
              kind: "manual",
              id: "signoff",
              title: "Sign off",
              instructions: "Check the changelog",
              needs: [],
            },
            command("ship", "echo shipped", { needs: ["signoff", "slow"] }),
          ]),
          concurrency: 2,
        },
      ],
    });
    const terminal = startInTerminal(root, ["start", "gated"], {});

    const asking = await waitForScreen(terminal.read, "the prompt", (screen) => screen.includes("[p]ause:"));
    // The other stage ends while the question is up: its line waits, so the prompt stays whole.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const still = terminal.read();
    expect(still.trimEnd().split("\n").at(-1)).toMatch(/\[p\]ause:\s*$/);
    expect(still).not.toContain("✔ [1] slow");
    expect(asking.split("\n").filter((line) => SPINNER_LINE.test(line))).toEqual([]);
    terminal.type("y");
    await waitForScreen(terminal.read, "the reason", (screen) => screen.includes("Reason (optional):"));
    terminal.type("reviewed");

    const final = await waitForScreen(terminal.read, "the end", (screen) => screen.includes("EXIT:"));
    expect(final).toContain("EXIT:0");
    expect(final).toMatch(/^✔ \[1\] slow \d+\.\ds$/m);
    expect(final).toMatch(/^✔ \[3\] ship \d+\.\ds$/m);
    expect(final).toMatch(/^ {2}3 stages: 3 succeeded · \d+\.\ds$/m);
  });

  it("streams plain lines on a terminal whose size is 0 × 0 (script(1), stty)", () => {
    const root = tempRepo({ pipelines: [pipeline("ok", [command("one", "echo one")])] });
    const inner = ["stty cols 0 rows 0;", shellQuote(process.execPath), shellQuote(CLI_BIN), "start ok"].join(
      " ",
    );

    const result = spawnSync("script", ["-qfec", inner, "/dev/null"], {
      cwd: root,
      env: cliEnvironment(root),
      encoding: "utf8",
      timeout: 60_000,
    });

    expect(result.status, result.stderr).toBe(0);
    const screen = result.stdout.replace(/\r/g, "");
    expect(screen).toMatch(/^▶ \[1\] one$/m);
    expect(screen).toMatch(/^\[one\] one$/m);
    expect(screen).not.toContain("\u001b[1A");
    expect(screen).not.toContain("\u001b[J");
  });
});

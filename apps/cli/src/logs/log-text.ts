import type { Painter } from "../terminal.js";
import { LineSplitter, prefixLines } from "../ui/output-lines.js";
import type { LogLine } from "./run-log-merge.js";

/**
 * Renders a run's log lines as text: each output line prefixed with its stage (`[test] …`, stderr
 * marked `[test]! …`), plus a line where a command starts and ends, a child run begins, a gate waits,
 * and the run starts and ends. Output split across chunks is joined back into whole lines.
 */
export class LogTextRenderer {
  readonly #stageIds: ReadonlyMap<number, string>;
  readonly #painter: Painter;
  readonly #onlyStage: number | null;
  readonly #splitters = new Map<string, LineSplitter>();

  constructor(options: {
    stageIds: ReadonlyMap<number, string>;
    painter: Painter;
    onlyStage: number | null;
  }) {
    this.#stageIds = options.stageIds;
    this.#painter = options.painter;
    this.#onlyStage = options.onlyStage;
  }

  /** The text for one log line: none, or lines (an entry may hold several, joined by newlines). */
  render(line: LogLine): string[] {
    const event = line.event;
    const index = typeof event.index === "number" ? event.index : null;
    if (this.#onlyStage !== null && index !== this.#onlyStage) return [];
    const paint = this.#painter;
    const tag = (text: string) => `${paint.dim(`[${this.#stageName(index)}]`)} ${text}`;
    switch (event.type) {
      case "command:stdout":
      case "command:stderr": {
        const stream = event.type === "command:stdout" ? "stdout" : "stderr";
        const block = this.#splitter(index, stream).pushBlock(
          typeof event.data === "string" ? event.data : "",
        );
        // One string for all the lines of a chunk: a 200 MB log has millions of short lines.
        return block === null ? [] : [prefixLines(block, this.#outputPrefix(index, stream))];
      }
      case "command:start": {
        const attempt =
          typeof event.attempt === "number" && event.attempt > 1 ? ` (attempt ${event.attempt})` : "";
        return [tag(paint.dim(`$ ${String(event.command)}${attempt}`))];
      }
      case "command:end": {
        const rest = this.#flush(index);
        const ok = event.exit_code === 0;
        const how =
          event.reason === "timeout"
            ? "timed out"
            : typeof event.signal === "string"
              ? `killed by ${event.signal}`
              : `exit ${String(event.exit_code)}`;
        return [...rest, tag(ok ? paint.green(`✔ ${how}`) : paint.red(`✖ ${how}`))];
      }
      case "stage:child":
        return [
          tag(
            `↳ child run ${String(event.child_run_id)} (codex-orchestrator logs ${String(event.child_run_id)})`,
          ),
        ];
      case "approval:requested":
        return [tag(paint.yellow("⏸ waiting for approval"))];
      case "approval:recorded":
        return [tag(`${String(event.decision)} by ${String(event.actor)}`)];
      case "run:start":
        return [paint.bold(`run ${event.resumed === true ? "resumed" : "started"}`)];
      case "run:end":
        return [
          paint.bold(
            `run ${String(event.status)}${typeof event.status_detail === "string" ? ` (${event.status_detail})` : ""}`,
          ),
        ];
      default:
        return [];
    }
  }

  /** Partial last lines still held, when the log ends. */
  end(): string[] {
    return [...this.#splitters.keys()].flatMap((key) => {
      const [index, stream] = key.split(":") as [string, "stdout" | "stderr"];
      return this.#splitters
        .get(key)!
        .end()
        .map((text) => this.#outputLine(Number(index), stream, text));
    });
  }

  #stageName(index: number | null): string {
    if (index === null) return "run";
    return this.#stageIds.get(index) ?? String(index);
  }

  #outputPrefix(index: number | null, stream: "stdout" | "stderr"): string {
    const mark = stream === "stderr" ? this.#painter.red("!") : "";
    return `${this.#painter.dim(`[${this.#stageName(index)}]`)}${mark} `;
  }

  #outputLine(index: number | null, stream: "stdout" | "stderr", text: string): string {
    return `${this.#outputPrefix(index, stream)}${text}`;
  }

  #splitter(index: number | null, stream: "stdout" | "stderr"): LineSplitter {
    const key = `${index ?? 0}:${stream}`;
    let splitter = this.#splitters.get(key);
    if (splitter === undefined) {
      splitter = new LineSplitter();
      this.#splitters.set(key, splitter);
    }
    return splitter;
  }

  #flush(index: number | null): string[] {
    return (["stdout", "stderr"] as const).flatMap((stream) =>
      (this.#splitters.get(`${index ?? 0}:${stream}`)?.end() ?? []).map((text) =>
        this.#outputLine(index, stream, text),
      ),
    );
  }
}

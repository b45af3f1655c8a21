/** A stage the view shows while it runs. */
export interface RunningStage {
  /** Nesting depth of its run (0: the run this command started). */
  depth: number;
  /** `[3] test`. */
  label: string;
}

/**
 * Where progress lands: lines that stay (stage ends, output, warnings) and, in the live view, the
 * running stages redrawn below them. The stream view keeps only the lines.
 */
export interface ProgressView {
  /** Lines that stay, written in order. */
  print(lines: readonly string[]): void;
  /** Stage output lines: like `print`, but a view may leave some out when its reader falls behind. */
  output(lines: readonly string[]): void;
  stageStarted(key: string, stage: RunningStage): void;
  /** The stage's latest output line (plain text). */
  stageLine(key: string, line: string): void;
  stageFinished(key: string, failed: boolean): void;
  /** Stops redrawing and clears what is redrawn (before a prompt); `resume` starts again. */
  suspend(): void;
  resume(): void;
  /** Writes what is pending and stops for good. */
  close(): void;
}

/**
 * "Did you mean …?" for mistyped commands and flags: a word that begins another wins (`stat` →
 * `status`), else the nearest by edit distance with swapped neighbours counting as one edit
 * (`--fromat` → `--format`), when it is near enough to be a typo rather than another word.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | null {
  if (word === "") return null;
  const lower = word.toLowerCase();
  const prefixed = candidates.filter((candidate) => candidate.startsWith(lower));
  if (prefixed.length > 0) return prefixed.reduce((best, next) => (next.length < best.length ? next : best));
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(lower.length / 3));
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate);
    if (distance <= bestDistance && (best === null || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(left: string, right: string): number {
  const rows = left.length + 1;
  const columns = right.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  const at = (row: number, column: number) => (table[row] as number[])[column] as number;
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let distance = Math.min(
        at(row - 1, column) + 1,
        at(row, column - 1) + 1,
        at(row - 1, column - 1) + cost,
      );
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1])
        distance = Math.min(distance, at(row - 2, column - 2) + 1);
      (table[row] as number[])[column] = distance;
    }
  }
  return at(rows - 1, columns - 1);
}

/**
 * The message for yargs' "Unknown argument(s): …": each unknown flag or word with the flag or
 * command it most likely meant. `args` tells flags (`--fromat`) from words (`stat`).
 */
export function describeUnknownArguments(options: {
  unknown: readonly string[];
  args: readonly string[];
  flags: readonly string[];
  commands: readonly string[];
}): { message: string; hint: string | undefined } {
  const parts: string[] = [];
  const hints: string[] = [];
  for (const name of options.unknown) {
    const typed = options.args.find(
      (arg) => arg.replace(/^-+/, "").split("=")[0] === name && arg.startsWith("-"),
    );
    if (typed !== undefined) {
      const dashes = typed.startsWith("--") ? "--" : "-";
      parts.push(`${dashes}${name}`);
      const match = closestMatch(
        name,
        options.flags.filter((flag) => flag.length > 1),
      );
      if (match !== null) hints.push(`did you mean --${match}?`);
    } else {
      parts.push(name);
      const match = closestMatch(name, options.commands);
      if (match !== null) hints.push(`did you mean ${match}?`);
    }
  }
  const noun = parts.length === 1 ? "Unknown argument" : "Unknown arguments";
  return {
    message: `${noun}: ${parts.join(", ")}`,
    hint: hints.length === 0 ? undefined : hints.join("; "),
  };
}

// Timing: one blocking run of a command, interleaved warm-up + N runs per side, medians.
import { spawnSync } from "node:child_process";

export function median(values) {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function round(value, digits = 2) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The last non-empty lines of a command's output: what to show when it fails. */
export function lastLines(text, count = 3) {
  return String(text ?? "")
    .split("\n")
    .map((lineText) => lineText.trim())
    .filter((lineText) => lineText !== "")
    .slice(-count)
    .join(" / ");
}

/**
 * Runs a command to completion and returns its wall time in ms. Throws, with the last lines of its
 * stderr (else stdout), when it exits with another status than `expectStatus` (default 0; null
 * accepts any) or does not finish within `timeoutMs`; `label` names the command in that error.
 */
export function timeOnce(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
    timeout: options.timeoutMs,
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  const expected = options.expectStatus === undefined ? 0 : options.expectStatus;
  if (result.error !== undefined || (expected !== null && result.status !== expected)) {
    const why =
      result.error?.message ?? (lastLines(result.stderr) || lastLines(result.stdout) || "no output");
    const how = result.signal === null ? `exited ${result.status}` : `killed by ${result.signal}`;
    const label = options.label ?? [command, ...args].join(" ");
    throw new Error(`\`${label.length > 140 ? `${label.slice(0, 140)}…` : label}\` ${how}: ${why}`);
  }
  return elapsed;
}

/**
 * Times each side of `sides` (name → thunk returning ms) `runs` times, interleaved run by run so
 * that drift in the machine's load hits every side alike, after `warmup` untimed rounds.
 * Returns name → { median, samples }.
 */
export function measureInterleaved(sides, runs, { warmup = 1 } = {}) {
  const samples = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
  for (let round = 0; round < warmup; round += 1) for (const thunk of Object.values(sides)) thunk();
  for (let round = 0; round < runs; round += 1) {
    for (const [name, thunk] of Object.entries(sides)) samples[name].push(thunk());
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [
      name,
      { median: median(list), samples: list.map((value) => round(value)) },
    ]),
  );
}

/**
 * Runs `thunk` (untimed for the figures) until two runs in a row agree within `tolerance`, at most
 * `maxRounds` times: a scenario whose timings depend on the machine's memory state starts steady.
 */
export function untilSteady(thunk, { tolerance = 0.15, maxRounds = 10 } = {}) {
  let previous = thunk();
  for (let round = 1; round < maxRounds; round += 1) {
    const current = thunk();
    if (Math.abs(current - previous) <= tolerance * Math.min(current, previous)) return;
    previous = current;
  }
}

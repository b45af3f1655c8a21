/**
 * Deterministic numbers in [0, 1) from a seed (a linear congruential generator), so a test that
 * draws random input can be replayed exactly from the seed it reports.
 */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

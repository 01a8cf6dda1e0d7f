/**
 * The lab's one source of chance: a seeded mulberry32 generator, so `--seed N` replays every
 * probability draw and jitter exactly (toxiproxy's weak spot: unseeded global randomness).
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** True with the given probability (0..1). A probability ≥ 1 never consumes a draw. */
  chance(probability: number): boolean;
  readonly seed: number;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => (probability >= 1 ? true : probability <= 0 ? false : next() < probability),
  };
}

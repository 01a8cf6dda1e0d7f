/** Exponential backoff with FULL jitter (AWS architecture blog "Exponential Backoff And Jitter"). */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/**
 * Delay before retry number `retryIndex` (0 = first retry): uniform in [0, min(cap, base·2^n)).
 * Full jitter spreads a crowd of clients that failed together, so they do not return together.
 */
export function fullJitterDelay(retryIndex: number, options: BackoffOptions, rng: () => number): number {
  const exponent = Math.max(0, Math.floor(retryIndex));
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(exponent, 30));
  const draw = Math.min(Math.max(rng(), 0), 1 - Number.EPSILON);
  return Math.floor(draw * ceiling);
}

/**
 * Rate limiter (docs/api.md#rate-limiting): an exact sliding-window log — at most `max` requests in ANY span of
 * `windowMs`, per bucket (identity + client IP).
 *
 * Why not a fixed window: it lets 2 × max through around a window boundary and then locks a user
 * out until the boundary, however early they stopped. Why not GCRA: its guarantee is a rate, not a
 * count per window — with a burst of `max` it admits up to 2 × max within one window, and with a
 * smaller burst it refuses the short bursts PocketBrain really sends (batch capture, a page of AI
 * actions). The log gives the documented promise ("45 per 60 s") exactly, frees capacity one
 * request at a time as old ones age out, and yields an exact Retry-After. Its cost, `max` timestamps
 * per bucket (45 numbers), is trivial in a Durable Object.
 *
 * Refused requests are not recorded: hammering while limited never extends the wait.
 *
 * Counting uses the window minus a 2 % jitter allowance (1.2 s of 60 s): a client pacing itself at
 * exactly the limit sends request k and k − max one window apart, and a millisecond of network
 * jitter would otherwise refuse it (measured: ~4 % refusals at exactly 100 % of the limit).
 */
export const JITTER_ALLOWANCE = 0.02;

/** The span in which at most `max` requests are admitted. */
export function countingWindowMs(options: RateLimitOptions): number {
  return options.windowMs - Math.floor(options.windowMs * JITTER_ALLOWANCE);
}
export interface RateLimitOptions {
  max: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** When refused: ms until a request would be allowed (> 0). 0 when allowed. */
  retryAfterMs: number;
  remaining: number;
  /** Timestamps of the admitted requests still inside the window, oldest first (store this). */
  hits: number[];
}

/** Drops timestamps that left the window ending at `now`; keeps at most the newest `max`. */
export function prune(hits: readonly number[], now: number, options: RateLimitOptions): number[] {
  const span = countingWindowMs(options);
  const kept = hits.filter((at) => at > now - span);
  return kept.length > options.max ? kept.slice(kept.length - options.max) : kept;
}

/**
 * Admits or refuses one request at `now`. Time is made monotonic per bucket (a caller's clock a
 * few ms behind the last one cannot slip a request in early).
 */
export function take(hits: readonly number[], rawNow: number, options: RateLimitOptions): RateDecision {
  const newest = hits.length > 0 ? hits[hits.length - 1]! : Number.NEGATIVE_INFINITY;
  const now = Math.max(rawNow, newest);
  const live = prune(hits, now, options);
  if (live.length < options.max) {
    const next = [...live, now];
    return { allowed: true, retryAfterMs: 0, remaining: options.max - next.length, hits: next };
  }
  const oldest = live[live.length - options.max]!;
  return { allowed: false, retryAfterMs: Math.max(1, oldest + countingWindowMs(options) - rawNow), remaining: 0, hits: live };
}

/** Restores stored hits; anything malformed restores as an empty window. */
export function restoreHits(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  return value.filter((at): at is number => typeof at === "number" && Number.isFinite(at)).sort((a, b) => a - b);
}

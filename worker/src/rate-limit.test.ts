import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countingWindowMs, restoreHits, take, type RateLimitOptions } from "./rate-limit";

const options: RateLimitOptions = { max: 45, windowMs: 60_000 };
/** 60 s less the 2 % jitter allowance. */
const SPAN = 58_800;

function takeMany(count: number, at: (index: number) => number, start: number[] = []) {
  let hits = start;
  const decisions = [];
  for (let index = 0; index < count; index += 1) {
    const decision = take(hits, at(index), options);
    hits = decision.hits;
    decisions.push(decision);
  }
  return { hits, decisions };
}

describe("sliding-window rate limiter", () => {
  it("admits 45 requests in a window and refuses the 46th with the exact wait", () => {
    const { hits, decisions } = takeMany(45, (index) => 1_000 + index * 100);
    expect(decisions.every((decision) => decision.allowed)).toBe(true);
    expect(decisions.at(-1)!.remaining).toBe(0);
    const refused = take(hits, 10_000, options);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 1_000 + SPAN - 10_000 });
  });

  it("frees capacity one request at a time as old ones leave the window", () => {
    const { hits } = takeMany(45, (index) => index * 1_000);
    expect(take(hits, SPAN - 1, options).allowed).toBe(false);
    const first = take(hits, SPAN, options);
    expect(first.allowed).toBe(true);
    expect(take(first.hits, SPAN + 500, options)).toMatchObject({ allowed: false, retryAfterMs: 500 });
  });

  it("admits a client pacing at exactly the limit despite a little jitter", () => {
    const interval = options.windowMs / options.max;
    const { decisions } = takeMany(200, (index) => Math.round(index * interval + (index % 2 === 0 ? 40 : -40)));
    expect(decisions.every((decision) => decision.allowed)).toBe(true);
    expect(countingWindowMs(options)).toBe(SPAN);
  });

  it("does not record refused requests, so hammering never extends the wait", () => {
    const { hits } = takeMany(45, () => 0);
    let state = hits;
    for (let at = 1; at < SPAN; at += 997) state = take(state, at, options).hits;
    expect(take(state, SPAN, options).allowed).toBe(true);
  });

  it("restores stored hits tolerantly", () => {
    expect(restoreHits([3, "x", 1, null, 2])).toEqual([1, 2, 3]);
    expect(restoreHits({})).toEqual([]);
  });
});

describe("rate limiter properties", () => {
  const scenario = fc.record({
    max: fc.integer({ min: 1, max: 8 }),
    windowMs: fc.integer({ min: 1_000, max: 20_000 }),
    steps: fc.array(fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.constantFrom(0, 1, 999, 1_000)), { minLength: 1, maxLength: 120 }),
  });

  it("never admits more than max in any window, refuses only when full, and Retry-After is exact and ≥ 1 s", () => {
    fc.assert(
      fc.property(scenario, ({ max, windowMs, steps }) => {
        const rules = { max, windowMs };
        const admitted: number[] = [];
        const span = countingWindowMs(rules);
        expect(span).toBeGreaterThanOrEqual(windowMs * 0.98);
        const inWindow = (end: number) => admitted.filter((at) => at > end - span && at <= end).length;
        let hits: number[] = [];
        let now = 5_000_000;
        for (const step of steps) {
          now += step;
          const decision = take(hits, now, rules);
          hits = decision.hits;
          if (decision.allowed) {
            admitted.push(now);
            expect(inWindow(now)).toBeLessThanOrEqual(max);
          } else {
            expect(inWindow(now)).toBe(max);
            expect(Math.ceil(decision.retryAfterMs / 1000)).toBeGreaterThanOrEqual(1);
            expect(take(hits, now + decision.retryAfterMs - 1, rules).allowed).toBe(false);
            expect(take(hits, now + decision.retryAfterMs, rules).allowed).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

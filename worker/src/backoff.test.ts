import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fullJitterDelay } from "./backoff";

const options = { baseMs: 100, capMs: 800 };

describe("full-jitter backoff", () => {
  it.each([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [2, 0.99, 396],
    [3, 0.25, 200],
    [10, 0.5, 400],
    [0, 0, 0],
  ])("retry %i with draw %f waits %i ms", (retryIndex, draw, expected) => {
    expect(fullJitterDelay(retryIndex, options, () => draw)).toBe(expected);
  });

  it("always stays in [0, min(cap, base·2^n)) for any draw", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (retryIndex, draw) => {
        const delay = fullJitterDelay(retryIndex, options, () => draw);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(options.capMs, options.baseMs * 2 ** retryIndex));
        expect(Number.isInteger(delay)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

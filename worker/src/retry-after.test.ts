import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter } from "./retry-after";

const NOW = Date.UTC(2026, 10, 2, 12, 0, 0);

describe("parseRetryAfter", () => {
  it.each([
    ["7", 7],
    [" 12 ", 12],
    ["0", 0],
    ["1.2", 2],
    ["Mon, 02 Nov 2026 12:00:30 GMT", 30],
    ["Monday, 02-Nov-26 12:01:00 GMT", 60],
    ["Mon Nov  2 12:00:10 2026", 10],
    ["Mon, 02 Nov 2026 11:00:00 GMT", 0],
  ])("reads %j as %d seconds", (value, seconds) => {
    expect(parseRetryAfter(value, NOW)).toBe(seconds);
  });

  it.each([null, undefined, "", "  ", "-5", "soon", "1e3", "2026-11-02T12:00:30Z", "1 2"])("answers null for %j", (value) => {
    expect(parseRetryAfter(value, NOW)).toBeNull();
  });

  it("caps absurd values instead of overflowing", () => {
    expect(parseRetryAfter("9".repeat(400), NOW)).toBe(MAX_RETRY_AFTER_SECONDS);
  });

  it("never answers NaN or a negative number, for any string and clock", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: -8.64e15, max: 8.64e15 }), (value, now) => {
        const seconds = parseRetryAfter(value, now);
        if (seconds !== null) {
          expect(Number.isInteger(seconds)).toBe(true);
          expect(seconds).toBeGreaterThanOrEqual(0);
          expect(seconds).toBeLessThanOrEqual(MAX_RETRY_AFTER_SECONDS);
        }
      }),
    );
  });

  it("round-trips delay-seconds and HTTP-dates", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), NOW)).toBe(seconds);
        expect(parseRetryAfter(new Date(NOW + seconds * 1000).toUTCString(), NOW)).toBe(seconds);
      }),
    );
  });
});

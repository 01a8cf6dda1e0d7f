import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRng } from "../src/rng";

describe("createRng", () => {
  it("replays the same sequence for the same seed", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = createRng(seed);
        const b = createRng(seed);
        const first = Array.from({ length: 20 }, () => a.next());
        expect(Array.from({ length: 20 }, () => b.next())).toEqual(first);
      }),
    );
  });

  it("gives different sequences for different seeds", () => {
    const a = Array.from({ length: 5 }, createRng(1).next);
    const b = Array.from({ length: 5 }, createRng(2).next);
    expect(a).not.toEqual(b);
  });

  it("stays in range for next() and int()", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 100 }), (seed, min, span) => {
        const rng = createRng(seed);
        const value = rng.next();
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(1);
        const int = rng.int(min, min + span);
        expect(int).toBeGreaterThanOrEqual(min);
        expect(int).toBeLessThanOrEqual(min + span);
        expect(Number.isInteger(int)).toBe(true);
      }),
    );
  });

  it("chance(1) and chance(0) never consume a draw", () => {
    const rng = createRng(7);
    const reference = createRng(7);
    expect(rng.chance(1)).toBe(true);
    expect(rng.chance(0)).toBe(false);
    expect(rng.next()).toBe(reference.next());
  });
});

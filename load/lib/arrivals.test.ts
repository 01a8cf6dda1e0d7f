import { describe, expect, it } from "vitest";
import { arrivalOffsets, runArrivals, type ArrivalClock } from "./arrivals";
import { probesTooClose } from "./breaker";
import { assertLoopback, retryAfterSeconds } from "./http";
import { median, percentileSorted, summarize } from "./stats";

function manualClock(): ArrivalClock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

describe("arrivalOffsets", () => {
  it("spaces rate × duration arrivals evenly from zero", () => {
    expect(arrivalOffsets(4, 1000)).toEqual([0, 250, 500, 750]);
    expect(arrivalOffsets(6, 10_000)).toHaveLength(60);
  });
});

describe("runArrivals", () => {
  it("starts each request on schedule, independent of how long earlier ones take", async () => {
    const clock = manualClock();
    const startedAt: number[] = [];
    const outcome = await runArrivals({ ratePerSec: 10, durationMs: 500, maxInFlight: 100 }, async () => {
      startedAt.push(clock.t);
    }, clock);
    expect(startedAt).toEqual([0, 100, 200, 300, 400]);
    expect(outcome).toEqual({ started: 5, dropped: 0 });
  });

  it("drops (and counts) arrivals that find maxInFlight requests still running", async () => {
    const clock = manualClock();
    const hung: Array<() => void> = [];
    const run = runArrivals({ ratePerSec: 10, durationMs: 500, maxInFlight: 2 }, () => new Promise<void>((resolve) => hung.push(resolve)), clock);
    await new Promise((resolve) => setImmediate(resolve));
    for (const release of hung) release();
    expect(await run).toEqual({ started: 2, dropped: 3 });
  });
});

describe("probesTooClose", () => {
  const at = (startedAt: number, cause?: string) => ({ startedAt, cause });

  it("counts only requests let through after the circuit first answered circuit_open", () => {
    const answers = [at(0, "upstream_5xx"), at(5, "upstream_5xx"), at(10, "circuit_open"), at(1100, "upstream_5xx"), at(1110, "circuit_open"), at(2300, "upstream_5xx")];
    expect(probesTooClose(answers, 1000)).toBe(0);
  });

  it("flags a second probe inside one window", () => {
    const answers = [at(0, "circuit_open"), at(1000, "upstream_5xx"), at(1200, "upstream_5xx")];
    expect(probesTooClose(answers, 1000)).toBe(1);
  });
});

describe("http helpers", () => {
  it("accepts only whole seconds ≥ 1 as Retry-After", () => {
    expect([retryAfterSeconds("5"), retryAfterSeconds(" 12 "), retryAfterSeconds("0"), retryAfterSeconds("1.5"), retryAfterSeconds(null)]).toEqual([5, 12, null, null, null]);
  });

  it("refuses targets that are not loopback http", () => {
    expect(assertLoopback("http://127.0.0.1:8787/x", "--base-url").origin).toBe("http://127.0.0.1:8787");
    expect(() => assertLoopback("https://example.com", "--base-url")).toThrow(/not a loopback http:\/\/ address/);
    expect(() => assertLoopback("http://10.0.0.5:80", "--base-url")).toThrow(/loopback/);
    expect(() => assertLoopback("nope", "--base-url")).toThrow(/not an absolute URL/);
  });
});

describe("stats", () => {
  it("takes nearest-rank percentiles", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileSorted(sorted, 50)).toBe(50);
    expect(percentileSorted(sorted, 99)).toBe(99);
    expect(summarize([3, 1, 2])).toEqual({ count: 3, p50: 2, p99: 3, max: 3 });
    expect(summarize([]).p50).toBeNaN();
  });

  it("takes the median of unsorted values, averaging the two middle ones for an even count", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

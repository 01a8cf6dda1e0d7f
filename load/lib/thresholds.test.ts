import { describe, expect, it } from "vitest";
import type { BreakerProfile, OverheadProfile, RateLimitProfile } from "./profiles";
import { checksTable, evaluateBreaker, evaluateOverhead, evaluateRateLimit, type RateLimitMeasurement } from "./thresholds";

const rateLimit: RateLimitProfile = {
  path: "/api/v1/auth/connect",
  limit: 20,
  windowMs: 5000,
  bucketsPerLevel: 4,
  warmupWindows: 2,
  steadyWindows: 2,
  levels: [
    { name: "80pct", percentOfLimit: 80, scope: "all", min429Rate: 0, max429Rate: 0 },
    { name: "100pct", percentOfLimit: 100, scope: "all", min429Rate: 0, max429Rate: 0.01 },
    { name: "150pct", percentOfLimit: 150, scope: "steady", min429Rate: 0.3033, max429Rate: 0.3633 },
  ],
  minRetryAfterCoverage: 1,
  maxRetryAfterSec: 6,
  recoveryPollMs: 200,
  maxRecoveryMs: 5200,
  maxServerErrorRate: 0,
};

function healthy(): RateLimitMeasurement {
  return {
    levels: [
      { name: "80pct", requests: 256, rejected: 0, steadyRequests: 128, steadyRejected: 0 },
      { name: "100pct", requests: 320, rejected: 1, steadyRequests: 160, steadyRejected: 1 },
      // The warm-up absorbs a limiter's initial burst; only the steady part must be one third.
      { name: "150pct", requests: 480, rejected: 100, steadyRequests: 240, steadyRejected: 80 },
    ],
    rejected: 101,
    rejectedWithRetryAfter: 101,
    maxRetryAfterSec: 5,
    requests: 1060,
    serverErrors: 0,
    recoveryMs: 1100,
  };
}

const failing = (checks: { name: string; pass: boolean }[]) => checks.filter((c) => !c.pass).map((c) => c.name);

describe("evaluateRateLimit", () => {
  it("passes a limiter that admits 80 %, nearly all of 100 % and two thirds of 150 % in steady state", () => {
    expect(failing(evaluateRateLimit(rateLimit, healthy()))).toEqual([]);
  });

  it("judges a 'steady' level on its steady requests only and an 'all' level on every request", () => {
    const m = healthy();
    m.levels[2] = { name: "150pct", requests: 480, rejected: 160, steadyRequests: 240, steadyRejected: 60 };
    m.levels[1] = { name: "100pct", requests: 320, rejected: 4, steadyRequests: 160, steadyRejected: 0 };
    expect(failing(evaluateRateLimit(rateLimit, m))).toEqual(["100pct of limit: 429 share (all)", "150pct of limit: 429 share (steady)"]);
  });

  it("fails one 429 below the limit at 80 %", () => {
    const m = healthy();
    m.levels[0] = { name: "80pct", requests: 256, rejected: 1, steadyRequests: 128, steadyRejected: 0 };
    expect(failing(evaluateRateLimit(rateLimit, m))).toEqual(["80pct of limit: 429 share (all)"]);
  });

  it("fails a 429 without Retry-After, a Retry-After beyond the window, slow recovery and 5xx", () => {
    const m = { ...healthy(), rejectedWithRetryAfter: 100, maxRetryAfterSec: 60, recoveryMs: null, serverErrors: 1 };
    expect(failing(evaluateRateLimit(rateLimit, m))).toEqual([
      "429s carrying Retry-After",
      "largest Retry-After",
      "recovery after the overload",
      "network errors and 5xx",
    ]);
  });

  it("treats a level that was not measured as a breach", () => {
    const m = { ...healthy(), levels: healthy().levels.slice(0, 2) };
    expect(failing(evaluateRateLimit(rateLimit, m))).toEqual(["150pct of limit: 429 share (steady)"]);
  });
});

describe("evaluateOverhead", () => {
  const overhead: OverheadProfile = { path: "/api/v2/sync/pull", pairsPerSec: 25, durationSec: 5, maxAddedP50Ms: 3, maxAddedP99Ms: 100, maxErrorRate: 0 };

  it("passes at the bounds and fails just past them", () => {
    expect(failing(evaluateOverhead(overhead, { pairs: 125, errors: 0, addedP50Ms: 3, addedP99Ms: 100 }))).toEqual([]);
    expect(failing(evaluateOverhead(overhead, { pairs: 125, errors: 1, addedP50Ms: 3.01, addedP99Ms: 100.5 }))).toEqual([
      "added latency p50 (paired)",
      "added latency p99 (paired)",
      "failed requests",
    ]);
  });

  it("fails when no pair succeeded (nothing measured)", () => {
    expect(failing(evaluateOverhead(overhead, { pairs: 0, errors: 0, addedP50Ms: null, addedP99Ms: null }))).toContain("added latency p50 (paired)");
  });
});

describe("evaluateBreaker", () => {
  const breaker: BreakerProfile = {
    path: "/api/v2/sync/pull",
    ratePerSec: 40,
    durationSec: 8,
    failureThreshold: 3,
    retries: 1,
    openMs: 1000,
    openingSlackRequests: 6,
    maxUpstreamPerClientRequest: 1.2,
    maxOpenAnswerP50Ms: 10,
    maxOpenAnswerP99Ms: 150,
    minRetryAfterCoverage: 1,
  };
  const good = { clientRequests: 320, upstreamCalls: 15, openAnswers: 300, openAnswersWithRetryAfter: 300, openAnswerP50Ms: 1.2, openAnswerP99Ms: 20, probesTooClose: 0 };

  it("passes a circuit that opened, answered fast with Retry-After and probed once per window", () => {
    expect(failing(evaluateBreaker(breaker, good))).toEqual([]);
  });

  it("fails a circuit that never opens: every request (and its retry) reaches the dead upstream", () => {
    const m = { ...good, upstreamCalls: 640, openAnswers: 0, openAnswersWithRetryAfter: 0, openAnswerP50Ms: null, openAnswerP99Ms: null };
    expect(failing(evaluateBreaker(breaker, m))).toEqual([
      "upstream calls per client request",
      "upstream calls (opening + 1 probe/window)",
      "circuit_open answers",
      "circuit_open answer p50",
      "circuit_open answer p99",
      "circuit_open answers with Retry-After",
    ]);
  });

  it("fails probing more than once per window", () => {
    expect(failing(evaluateBreaker(breaker, { ...good, upstreamCalls: 40, probesTooClose: 3 }))).toEqual([
      "upstream calls (opening + 1 probe/window)",
      "probes closer than 0.9 window",
    ]);
  });

  it("omits the probe-spacing row when the measurement has none (k6)", () => {
    const { probesTooClose: _, ...withoutSpacing } = good;
    expect(evaluateBreaker(breaker, withoutSpacing).map((c) => c.name)).not.toContain("probes closer than 0.9 window");
  });
});

describe("checksTable", () => {
  it("shows measured values in the threshold's unit and marks breaches", () => {
    const table = checksTable(evaluateOverhead({ path: "/", pairsPerSec: 1, durationSec: 1, maxAddedP50Ms: 3, maxAddedP99Ms: 100, maxErrorRate: 0 }, { pairs: 10, errors: 1, addedP50Ms: 1.5, addedP99Ms: 9 }));
    expect(table).toMatch(/added latency p50 \(paired\)\s+1\.5 ms\s+≤ 3 ms\s+ok/);
    expect(table).toMatch(/failed requests\s+5 %\s+≤ 0 %\s+BREACH/);
  });
});

import { describe, expect, it } from "vitest";
import { VIRTUAL_CLOCK } from "../invariants/types";
import { fleetViolations, FLEET_INVARIANTS } from "./invariants/index";
import type { FleetRequest, FleetTrace, UpstreamAttempt } from "./trace";

const firstViolationOf = (name: string, trace: FleetTrace) => FLEET_INVARIANTS.find((invariant) => invariant.name === name)!.check(trace, VIRTUAL_CLOCK)[0] ?? null;

/** A hand-made trace: 2 isolates, a provider outage 0–40 s, a backend outage 40–60 s. */
function baseTrace(): FleetTrace {
  return {
    config: { isolates: 2, seed: 1, serviceMs: 1, learningIntervalMs: 5000, providerOpenMs: 30_000, vpsOpenMs: 20_000, aiPerSec: 1, v2PerSec: 1, maxRttMs: 100, isolateStatePerIsolate: true },
    phases: [
      { name: "provider-outage", from: 0, to: 40_000, outage: "provider" },
      { name: "backend-outage", from: 40_000, to: 60_000, outage: "backend" },
      { name: "backend-heal", from: 60_000, to: 80_000, outage: null },
    ],
    rttMs: [10, 100],
    requests: [],
    attempts: [],
    calls: [],
    breaker: [
      { t: 1_000, provider: "gemini", phase: "open" },
      { t: 31_000, provider: "gemini", phase: "half-open" },
      { t: 31_500, provider: "gemini", phase: "closed" },
    ],
    startedAt: 0,
    endedAt: 80_000,
  };
}

const ai = (t: number, isolate: number, cause: string | null): FleetRequest => ({ isolate, kind: "ai", t, end: t + 10, status: cause ? 503 : 200, cause, doWaitMs: 0 });
const v2 = (t: number): FleetRequest => ({ isolate: 0, kind: "v2", t, end: t + 10, status: 503, cause: "upstream_5xx", doWaitMs: 0 });
const provider = (t: number, isolate = 0): UpstreamAttempt => ({ t, isolate, server: "gemini" });
const backend = (t: number): UpstreamAttempt => ({ t, isolate: 0, server: "backend", circuit: "closed" });

describe("fleet invariants on hand-made traces", () => {
  it("a trace that keeps every rule passes all of them", () => {
    const trace = baseTrace();
    trace.attempts.push(provider(500), provider(31_100));
    trace.requests.push(ai(10_000, 1, "provider_circuit_open"), ai(33_000, 1, null));
    for (let t = 40_000; t < 60_000; t += 1000) trace.requests.push(v2(t));
    for (let t = 40_000; t < 60_000; t += 1000) trace.attempts.push(backend(t));
    expect(fleetViolations(trace)).toEqual([]);
  });

  it("fleet-single-probe: two provider requests in one half-open window break it", () => {
    const trace = baseTrace();
    trace.attempts.push(provider(31_100, 0), provider(31_200, 1));
    expect(firstViolationOf("fleet-single-probe", trace)).toMatchObject({ invariant: "fleet-single-probe", message: expect.stringMatching(/2 gemini requests .* half-open/) });
  });

  it("fleet-single-probe: stragglers in the open part are not probes", () => {
    const trace = baseTrace();
    trace.attempts.push(provider(1_050, 0), provider(1_060, 1), provider(31_100, 0));
    expect(firstViolationOf("fleet-single-probe", trace)).toBeNull();
  });

  it("fleet-refusal-after-close: an isolate refusing well after the fleet closed breaks it", () => {
    const trace = baseTrace();
    trace.requests.push(ai(31_500 + 5000 + 100 + 2000, 1, "provider_circuit_open"));
    expect(firstViolationOf("fleet-refusal-after-close", trace)).toMatchObject({ invariant: "fleet-refusal-after-close", message: expect.stringMatching(/isolate 1 refused/) });
  });

  it("fleet-refusal-after-close: a refusal within the learning interval is allowed", () => {
    const trace = baseTrace();
    trace.requests.push(ai(31_500 + 4000, 1, "provider_circuit_open"));
    expect(firstViolationOf("fleet-refusal-after-close", trace)).toBeNull();
  });

  it("fleet-retry-budget: more than 1.2 backend attempts per request while the backend is down breaks it", () => {
    const trace = baseTrace();
    for (let t = 40_000; t < 50_000; t += 1000) trace.requests.push(v2(t));
    for (let t = 40_000; t < 53_000; t += 1000) trace.attempts.push(backend(t));
    expect(firstViolationOf("fleet-retry-budget", trace)).toMatchObject({ invariant: "fleet-retry-budget", message: expect.stringMatching(/13 backend attempts for 10/) });
  });

  it("fleet-retry-budget: attempts outside the outage do not count", () => {
    const trace = baseTrace();
    for (let t = 40_000; t < 50_000; t += 1000) trace.requests.push(v2(t));
    for (let t = 40_000; t < 50_000; t += 1000) trace.attempts.push(backend(t), backend(t + 30_000));
    expect(firstViolationOf("fleet-retry-budget", trace)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { fleetFigures } from "./figures";
import { fleetViolations } from "./invariants/index";
import { DEFAULT_PHASES, scalePhases } from "./phases";
import { renderFleetReport } from "./report";
import { runFleet, type FleetOptions } from "./run";
import { renderSummary } from "./summary";

/** A small fleet on short phases: 1 s circuit windows so the outages open, probe and heal. */
const SMALL: FleetOptions = {
  isolates: 10,
  seed: 3,
  phases: scalePhases(DEFAULT_PHASES, 0.15),
  aiPerSec: 1,
  v2PerSec: 4,
  workerVars: { PROVIDER_CIRCUIT_OPEN_MS: "1000", PROVIDER_CIRCUIT_REFRESH_MS: "500", VPS_PROXY_CIRCUIT_OPEN_MS: "1000" },
};

describe("a small fleet", () => {
  it("keeps the fleet invariants through outage and heal, and every figure is measured", async () => {
    const trace = await runFleet(SMALL);
    const figures = fleetFigures(trace);
    expect(fleetViolations(trace)).toEqual([]);
    expect(trace.config.isolateStatePerIsolate).toBe(true);
    expect(figures.phases.map((phase) => phase.name)).toEqual(DEFAULT_PHASES.map((phase) => phase.name));
    const [healthy, providerOutage, providerHeal, backendOutage, backendHeal] = figures.phases;
    // Healthy: every AI call answered before the outage began is a success; the object was used.
    const healthySpan = trace.phases[0]!;
    const answeredHealthy = trace.requests.filter((request) => request.kind === "ai" && request.end < healthySpan.to);
    expect(answeredHealthy.length).toBeGreaterThan(0);
    expect(answeredHealthy.filter((request) => request.status !== 200)).toEqual([]);
    expect(healthy!.aiRequests).toBeGreaterThan(0);
    expect(healthy!.objectCallsPerAi).toBeGreaterThan(0);
    expect(providerOutage!.aiOk).toBeLessThan(providerOutage!.aiRequests / 2);
    expect(figures.windows.length).toBeGreaterThanOrEqual(2);
    expect(figures.probesPerWindowMax).toBe(1);
    // The heals end the refusals, and the time to do so is measured.
    expect(providerHeal!.recoveryMs).not.toBeNull();
    expect(figures.windows.at(-1)!.ending).toBe("closed");
    expect(backendOutage!.v2Ok).toBe(0);
    expect(backendOutage!.backendPerWindow.length).toBeGreaterThan(1);
    expect(backendHeal!.recoveryMs).toBeGreaterThan(0);
    expect(backendHeal!.v2Ok).toBeGreaterThan(0);
    const summary = renderSummary(trace, figures, [], 1234);
    expect(summary.trimEnd().split("\n").at(-1)).toMatch(/^fleet isolates=10 global-do-calls-per-healthy-ai-request=\d+\.\d\d provider-probes-per-window-max=1 backend-requests-per-window-max=\d+ recovery-s=\d+\.\d wall-s=1\.2$/);
    expect(renderFleetReport(trace, figures, [], 1234)).toContain("<svg");
  });

  it("is deterministic: same seed, same trace", async () => {
    const options: FleetOptions = { ...SMALL, isolates: 4, phases: scalePhases(DEFAULT_PHASES, 0.05) };
    const [first, second] = [await runFleet(options), await runFleet(options)];
    expect(second.requests).toEqual(first.requests);
    expect(second.attempts).toEqual(first.attempts);
    expect(second.breaker).toEqual(first.breaker);
  });
});

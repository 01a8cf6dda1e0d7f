import { describe, expect, it, vi } from "vitest";
import { counter, createHarness, errorOf, useProxyTestServer, type Harness } from "./proxy-harness";
import { labBackend, statusFault, unavailableFor, type LabBackend } from "./proxy-upstream";

const server = useProxyTestServer();

/** The lab's backend on the harness clock, answering 503 to every request. */
function deadBackend(harness: Harness): LabBackend {
  const backend = labBackend(server, harness.clock);
  backend.script("*", statusFault(503));
  return backend;
}

async function circuitView(harness: Harness): Promise<{ state: string; open: boolean; remainingMs: number }> {
  const response = await harness.call("http://127.0.0.1/api/v1/metrics");
  return ((await response.json()) as { vpsProxyCircuit: { state: string; open: boolean; remainingMs: number } }).vpsProxyCircuit;
}

/** Three finally-failed requests (one attempt each) open the circuit at the harness clock's now. */
async function openCircuit(harness: Harness): Promise<void> {
  for (let index = 0; index < 3; index += 1) expect((await harness.call("/api/v2/sync/pull")).status).toBe(503);
}

describe("/api/v2 circuit", () => {
  it("opens on the 3rd consecutive failed request, not the 2nd, counting a request once however many attempts", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "2" });
    const backend = deadBackend(harness);
    await harness.call("/api/v2/sync/pull");
    await harness.call("/api/v2/sync/pull");
    expect((await circuitView(harness)).state).toBe("closed");
    expect(backend.seen.length).toBeGreaterThan(2);
    await harness.call("/api/v2/sync/pull");
    expect(await circuitView(harness)).toMatchObject({ state: "open", open: true });
    expect(counter("vpsProxyCircuitOpens")).toBe(1);
    // circuitOpens counts provider circuits only, as in the original worker.
    expect(counter("circuitOpens")).toBe(0);

    const attemptsBefore = backend.seen.length;
    const rejected = await harness.call("/api/v2/sync/pull");
    expect(rejected.status).toBe(503);
    expect(await errorOf(rejected)).toMatchObject({ code: "SERVICE_UNAVAILABLE", cause: "circuit_open", retryable: true });
    expect(backend.seen).toHaveLength(attemptsBefore);
    expect(counter("vpsProxyCircuitRejects")).toBe(1);
  });

  it("does not retry an in-flight request once another request has opened the circuit", async () => {
    const harness = createHarness({ VPS_PROXY_CIRCUIT_FAILURE_THRESHOLD: "1", VPS_PROXY_RETRIES: "3" });
    const backend = deadBackend(harness);
    let releaseBackoff!: () => void;
    const backoffHeld = new Promise<void>((resolve) => {
      releaseBackoff = resolve;
    });
    const instantSleep = harness.deps.sleep;
    harness.deps.sleep = async (ms, signal) => {
      if (ms < 1000) await backoffHeld;
      return instantSleep(ms, signal);
    };
    const retrying = harness.call("/api/v2/sync/pull");
    await vi.waitFor(() => expect(backend.seen).toHaveLength(1));
    const opener = await harness.call("/api/v2/sync/push", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(opener.status).toBe(503);
    expect((await circuitView(harness)).state).toBe("open");
    releaseBackoff();
    expect((await retrying).status).toBe(503);
    expect(backend.seen).toHaveLength(2);
    expect(counter("vpsProxyRetriesCancelledByCircuit")).toBe(1);
    expect(counter("vpsProxyRetries")).toBe(0);
  });

  it("is checked before the origin: an open circuit answers circuit_open even when the origin is gone", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "0" });
    deadBackend(harness);
    await openCircuit(harness);
    harness.env.VPS_API_ORIGIN = undefined;
    expect(await errorOf(await harness.call("/api/v2/sync/pull"))).toMatchObject({ cause: "circuit_open" });
  });

  it("counts down Retry-After (±1 s) through the 20 s window", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "0" });
    deadBackend(harness);
    await openCircuit(harness);
    const openedAt = harness.clock.now();
    for (const [elapsedMs, expected] of [[0, 20], [5_000, 15], [10_500, 10], [19_001, 1], [19_999, 1]] as const) {
      harness.clock.advance(openedAt + elapsedMs - harness.clock.now());
      const response = await harness.call("/api/v2/sync/pull");
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(expected - 1);
      expect(Number(response.headers.get("retry-after"))).toBeLessThanOrEqual(expected + 1);
      expect((await circuitView(harness)).remainingMs).toBe(20_000 - elapsedMs);
    }
  });

  it("never counts a 4xx: it resets the streak", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "0" });
    labBackend(server, harness.clock).script("/api/v2/sync/pull", unavailableFor(2), statusFault(404, { times: 1 }), unavailableFor(2));
    await harness.call("/api/v2/sync/pull");
    await harness.call("/api/v2/sync/pull");
    expect((await harness.call("/api/v2/sync/pull")).status).toBe(404);
    await harness.call("/api/v2/sync/pull");
    await harness.call("/api/v2/sync/pull");
    expect((await circuitView(harness)).state).toBe("closed");
  });

  it("lets exactly one probe through among 200 concurrent requests after the window, and closes on its success", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "0" });
    let openGate!: () => void;
    const gateOpened = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let holding = false;
    // Once the window has passed, every attempt waits at the backend until the test opens the gate.
    const backend = labBackend(server, harness.clock, { hooks: { onAttempt: () => (holding ? gateOpened : undefined) } });
    backend.script("/api/v2/sync/pull", unavailableFor(3));
    await openCircuit(harness);
    harness.clock.advance(20_000);

    holding = true;
    const responses = Array.from({ length: 200 }, () => harness.call("/api/v2/sync/pull"));
    const rejected = await Promise.all(responses.slice(1));
    expect(rejected.every((response) => response.status === 503)).toBe(true);
    expect(new Set(await Promise.all(rejected.map(async (response) => (await errorOf(response)).cause)))).toEqual(new Set(["circuit_open"]));
    expect((await circuitView(harness)).state).toBe("half-open");

    openGate();
    expect((await responses[0]!).status).toBe(200);
    expect(backend.seen).toHaveLength(4);
    expect((await circuitView(harness)).state).toBe("closed");
    expect((await harness.call("/api/v2/sync/pull")).status).toBe(200);
  });

  it("re-opens for a full window when the probe fails, and never retries the probe", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "0" });
    const backend = deadBackend(harness);
    await openCircuit(harness);
    harness.env.VPS_PROXY_RETRIES = "5";
    harness.clock.advance(25_000);
    const probe = await harness.call("/api/v2/sync/pull");
    expect(await errorOf(probe)).toMatchObject({ cause: "upstream_5xx" });
    expect(backend.seen).toHaveLength(4);
    const after = await harness.call("/api/v2/sync/pull");
    expect(after.headers.get("retry-after")).toBe("20");
    expect(await circuitView(harness)).toMatchObject({ state: "open", remainingMs: 20_000 });
    expect(counter("vpsProxyCircuitOpens")).toBe(2);
  });

  it("releases the probe when it ends before reaching upstream (413), so the next request probes", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "0", VPS_PROXY_MAX_BODY_BYTES: "32768" });
    labBackend(server, harness.clock).script("/api/v2/sync/pull", unavailableFor(3));
    await openCircuit(harness);
    harness.clock.advance(20_000);
    expect((await harness.call("/api/v2/sync/push", { method: "POST", body: new Uint8Array(40_000) })).status).toBe(413);
    expect((await harness.call("/api/v2/sync/pull")).status).toBe(200);
  });
});

describe("/api/v2 retry budget", () => {
  it("keeps upstream attempts ≤ 1.2 × requests when 100 concurrent requests hit a dead upstream with 5 retries each", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "5", VPS_PROXY_CIRCUIT_FAILURE_THRESHOLD: "20" });
    const backend = deadBackend(harness);
    const responses = await Promise.all(Array.from({ length: 100 }, () => harness.call("/api/v2/sync/pull")));
    expect(responses.every((response) => response.status === 503)).toBe(true);
    expect(backend.seen.length).toBeGreaterThan(100);
    expect(backend.seen.length).toBeLessThanOrEqual(120);
    expect(counter("vpsProxyUpstreamAttempts")).toBe(backend.seen.length);
    expect(counter("vpsProxyRetryBudgetExhausted")).toBeGreaterThan(0);
  });

  it("still allows a quiet isolate its minimum of retries", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "5" });
    const backend = labBackend(server, harness.clock);
    backend.script("/api/v2/sync/pull", unavailableFor(3));
    const response = await harness.call("/api/v2/sync/pull");
    expect(response.status).toBe(200);
    expect(backend.seen).toHaveLength(4);
  });
});

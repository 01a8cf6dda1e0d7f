import { describe, expect, it } from "vitest";
import { getConfig } from "../src/config";
import { createContext } from "../src/context";
import { enforceRateLimit } from "../src/control-plane-client";
import type { DoNamespace } from "../src/env";
import { createIsolateState, handleRequest, type IsolateState } from "../src/index";
import { metrics as defaultMetrics } from "../src/metrics";
import { installLabNetwork } from "../../fault-lab/src/adapters/msw";
import { createClock, proxyEnv, testDeps, useProxyTestServer, VPS_ORIGIN, WORKER_ORIGIN } from "./proxy-harness";

const server = useProxyTestServer();
/** Lets every pending microtask and I/O callback run (no timer involved). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The lab's Clock on a test's virtual timers: a fault's wait ends when the test moves the clock past it. */
const v2 = (isolate: IsolateState, env: ReturnType<typeof proxyEnv>, deps: ReturnType<typeof testDeps>) =>
  handleRequest(new Request(`${WORKER_ORIGIN}/api/v2/notes`), env, deps, undefined, isolate);

describe("isolate state: every per-isolate memory lives in one IsolateState", () => {
  it("opens the /api/v2 circuit of the isolate that saw the failures only; counters stay per isolate", async () => {
    const clock = createClock();
    const deps = testDeps(clock);
    const env = proxyEnv({ VPS_PROXY_RETRIES: "0" }, clock);
    const network = installLabNetwork(server, { clock, origins: { backend: VPS_ORIGIN } });
    network.addRules({ route: "/api/v2/notes", server: "backend", faults: [{ kind: "status", status: 503, body: "down" }] });
    const backendCalls = (): number => network.seenBy("backend").length;
    const a = createIsolateState(clock.now());
    const b = createIsolateState(clock.now());
    const defaultRequestsBefore = defaultMetrics.metrics.requests;
    for (let i = 0; i < 3; i += 1) expect((await v2(a, env, deps)).status).toBe(503);
    expect(a.vpsCircuit.state.phase).toBe("open");
    const callsWhenOpen = backendCalls();
    expect((await v2(a, env, deps)).status).toBe(503);
    expect(backendCalls()).toBe(callsWhenOpen);
    // Isolate b has its own closed circuit: its request reaches the backend.
    await v2(b, env, deps);
    expect(backendCalls()).toBe(callsWhenOpen + 1);
    expect(b.vpsCircuit.state.phase).toBe("closed");
    expect(a.metrics.metrics.requests).toBe(4);
    expect(a.metrics.metrics.vpsProxyCircuitOpens).toBe(1);
    expect(b.metrics.metrics.requests).toBe(1);
    expect(b.metrics.metrics.vpsProxyCircuitOpens).toBe(0);
    expect(defaultMetrics.metrics.requests).toBe(defaultRequestsBefore);
  });

  it("a hung control plane times out on the injected clock (3 s), then the isolate's own fallback decides, counted", async () => {
    const clock = createClock();
    const env = proxyEnv({}, clock);
    const hung: DoNamespace = { idFromName: (name: string) => ({ name }), get: () => ({ fetch: () => new Promise<Response>(() => undefined) }) } as unknown as DoNamespace;
    env.CONTROL_PLANE_DO = hung;
    const isolate = createIsolateState(clock.now());
    const ctx = createContext(new Request(`${WORKER_ORIGIN}/api/v1/ai/analyze`, { method: "POST" }), env, getConfig(env), testDeps(clock), "req-isolate-hung-1", undefined, isolate);
    const started = clock.now();
    let settled = false;
    const decision = enforceRateLimit(ctx, { kind: "anon" }).then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    clock.advance(2999);
    await flush();
    expect(settled).toBe(false);
    clock.advance(1);
    await decision;
    expect(clock.now() - started).toBe(3000);
    expect(isolate.metrics.runtimeConfig.rateLimitFallbacks).toBe(1);
    expect(isolate.metrics.runtimeConfig.controlPlaneFallbacks).toBe(1);
    expect(isolate.controlPlaneFallback.windows.size).toBe(1);
  });
});
